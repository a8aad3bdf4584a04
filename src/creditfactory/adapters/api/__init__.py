"""adapters/api context."""
