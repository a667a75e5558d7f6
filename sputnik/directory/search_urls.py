"""The global search page."""

urlpatterns: list = []
