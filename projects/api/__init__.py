"""REST API v1 of the projects app: projects and blockers (mounted by config.api_router)."""
