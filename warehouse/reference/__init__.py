"""Reference data: the communes the warehouse builds from the shared material (geo.py), and the
commune geometry and postcodes shipped with the code (data/, see data/SOURCE.md)."""
