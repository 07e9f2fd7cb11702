"""Tests of what needs no DuckDB file, no dbt and no Airflow."""
