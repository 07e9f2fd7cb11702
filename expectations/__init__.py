"""Great Expectations (GX Core 1.x) suites and the checkpoint that gates every release.

Every GX call lives in this package: its API changed a lot between 1.0 and 1.24.
"""
