"""Tests of the stages against real DuckDB, dbt, GX, pywb and local HTTP servers."""
