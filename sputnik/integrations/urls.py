from django.urls import path

from . import import_views, views

app_name = "integrations"

urlpatterns = [
    path("exports/", views.ExportListView.as_view(), name="export_list"),
    path("exports/<str:kind>/new/", views.ExportStartView.as_view(), name="export_start"),
    path("exports/<int:pk>/", views.ExportView.as_view(), name="export"),
    path("exports/<int:pk>/download/", views.ExportDownloadView.as_view(), name="export_download"),
    path("imports/", import_views.ImportListView.as_view(), name="import_list"),
    path("imports/new/", import_views.ImportCreateView.as_view(), name="import_new"),
    path("imports/<int:pk>/", import_views.ImportView.as_view(), name="import"),
    path(
        "imports/<int:pk>/columns/",
        import_views.ImportColumnsView.as_view(),
        name="import_columns",
    ),
    path(
        "imports/<int:pk>/preview/",
        import_views.ImportPreviewView.as_view(),
        name="import_preview",
    ),
    path("imports/<int:pk>/sheet/", import_views.ImportSheetView.as_view(), name="import_sheet"),
    path("imports/<int:pk>/start/", import_views.ImportStartView.as_view(), name="import_start"),
    path(
        "imports/<int:pk>/rejected/",
        import_views.ImportRejectedView.as_view(),
        name="import_rejected",
    ),
]
