"""adapters/storage context."""
