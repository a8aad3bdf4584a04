"""monitoring context."""
