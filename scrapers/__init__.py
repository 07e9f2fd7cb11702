"""Collection side of guichets: sources registry, fetching, WARC evidence, parsing.

Nothing in this package imports Airflow, dbt, DuckDB or Great Expectations: collection tasks
run in parallel processes and must stay light (see docs/architecture.md).
"""
