"""Airflow DAGs of guichets (installed as a package so DAG files can share ``dags.guichets_tasks``)."""
