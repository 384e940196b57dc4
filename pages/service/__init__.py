"""Pages: service."""
