"""Releases: directory layout and verification, deterministic files, delta tables, metadata, publishing."""
