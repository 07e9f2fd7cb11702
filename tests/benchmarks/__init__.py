"""Benchmarks run by hand (bench_*.py: not collected by pytest)."""
