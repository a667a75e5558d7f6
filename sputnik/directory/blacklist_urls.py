"""Pages of the undesirable-counterparty registry."""

urlpatterns: list = []
