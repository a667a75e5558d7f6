"""REST endpoints of the undesirable-counterparty registry."""


def register(router) -> None:
    """Add the registry's viewsets to the API router."""
