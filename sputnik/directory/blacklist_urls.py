"""Pages of the undesirable-counterparty registry."""

from django.urls import path

from . import blacklist_views as views

urlpatterns = [
    path("undesirable/", views.BlacklistListView.as_view(), name="blacklist_list"),
    path("undesirable/new/", views.BlacklistCreateView.as_view(), name="blacklist_create"),
    path("undesirable/<int:pk>/", views.BlacklistDetailView.as_view(), name="blacklist_detail"),
    path(
        "undesirable/<int:pk>/remove/",
        views.BlacklistRemoveView.as_view(),
        name="blacklist_remove",
    ),
]
