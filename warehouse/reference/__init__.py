"""Reference data shipped with the code: commune geometry and postcodes (see data/SOURCE.md)."""
