"""decisioning context."""
