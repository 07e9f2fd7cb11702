"""Web archives and evidence: WARC records (warc.py), CDX listings (cdx.py), the local pywb server (server.py)."""
