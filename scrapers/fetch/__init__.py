"""The only HTTP client: polite fetching (client.py), robots.txt, the SSRF guard, deadlines, decoding."""
