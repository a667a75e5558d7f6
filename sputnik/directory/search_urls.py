"""The global search page."""

from django.urls import path

from .search_views import SearchView

urlpatterns = [path("search/", SearchView.as_view(), name="search")]
