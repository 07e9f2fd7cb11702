"""End-to-end tests: the DAGs as Airflow parses and runs them, the CLI on the sample, the report, the docs."""
