"""scoring/training context."""
