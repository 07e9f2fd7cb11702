"""The bundled sample web: illustrative pages of real Belgian administrations, as WARC files.

``build.build_sample_web(out_dir)`` writes them from ``storyline.yaml`` and the sample
registry; ``scrapers.archive.server`` serves them with pywb like a Wayback Machine.
"""
