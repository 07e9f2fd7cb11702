"""Warehouse side of guichets: DuckDB loading, dbt runs, release publishing, reports and the CLI."""
