"""Background work on Django's Tasks framework: retries, recovery of jobs whose worker died,
periodic jobs declared in code, and the ``rainforest worker`` command."""
