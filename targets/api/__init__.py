"""REST API v1 of the targets app (mounted by config.api_router)."""
