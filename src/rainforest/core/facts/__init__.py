"""The enterprise facts interchange format (shared/facts-schema.md): columns, reading, checks."""
