"""API pagination (kept apart from the viewsets: DRF imports it while loading them)."""

from rest_framework.pagination import CursorPagination


class KeysetPagination(CursorPagination):
    """Cursor pagination: constant cost per page whatever the table size."""

    ordering = "-pk"
    page_size_query_param = "page_size"
    max_page_size = 500
