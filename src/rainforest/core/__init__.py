"""Pure-Python domain logic: no Django, no database (see docs/architecture.md)."""
