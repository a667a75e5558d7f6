from django.urls import path

from . import views

app_name = "integrations"

urlpatterns = [
    path("exports/", views.ExportListView.as_view(), name="export_list"),
    path("exports/<str:kind>/new/", views.ExportStartView.as_view(), name="export_start"),
    path("exports/<int:pk>/", views.ExportView.as_view(), name="export"),
    path("exports/<int:pk>/download/", views.ExportDownloadView.as_view(), name="export_download"),
]
