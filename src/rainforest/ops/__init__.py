"""Running the platform: the production server, health and readiness, backup and restore."""
