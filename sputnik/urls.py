from django.urls import include, path

from sputnik.access.account_views import HomeView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("", include("sputnik.access.urls")),
    path("", include("sputnik.directory.urls")),
    path("", include("sputnik.sales.urls")),
    path("", include("sputnik.integrations.urls")),
    path("api/v1/", include(("sputnik.api_urls", "api"), namespace="api")),
]
