"""scoring context."""
