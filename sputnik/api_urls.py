"""Version 1 of the REST API: every app registers its viewsets here."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from sputnik.access import api as access_api

router = DefaultRouter()
router.register("business-lines", access_api.BusinessLineViewSet, basename="businessline")
router.register("users", access_api.UserViewSet, basename="user")
router.register("departments", access_api.DepartmentViewSet, basename="department")
router.register("notifications", access_api.NotificationViewSet, basename="notification")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
]
