"""``guichets find``: where a person can still go, read from a release (docs/social-workers.md)."""
