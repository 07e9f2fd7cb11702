"""Shared test helpers: the sample run, CLI runner, dbt fixture, browser, PDF text, processes."""
