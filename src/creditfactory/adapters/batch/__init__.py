"""adapters/batch context."""
