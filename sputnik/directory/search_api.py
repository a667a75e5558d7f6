"""The search endpoint of the REST API."""

urlpatterns: list = []
