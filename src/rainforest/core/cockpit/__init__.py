"""The cockpit's arithmetic, free of Django: is the pace enough to reach a target on its date."""
