"""Version 1 of the REST API: every app registers its viewsets here."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from sputnik.access import api as access_api
from sputnik.directory import api as directory_api
from sputnik.directory import blacklist_api, search_api, segment_api
from sputnik.integrations import api as integrations_api
from sputnik.sales import api as sales_api
from sputnik.sales import profile_api

router = DefaultRouter()
router.register("business-lines", access_api.BusinessLineViewSet, basename="businessline")
router.register("users", access_api.UserViewSet, basename="user")
router.register("departments", access_api.DepartmentViewSet, basename="department")
router.register("notifications", access_api.NotificationViewSet, basename="notification")
router.register("substitutions", access_api.SubstitutionViewSet, basename="substitution")
router.register("organizations", directory_api.OrganizationViewSet, basename="organization")
router.register("persons", directory_api.PersonViewSet, basename="person")
router.register("employments", directory_api.EmploymentViewSet, basename="employment")
router.register("categories", directory_api.CategoryViewSet, basename="category")
router.register("industries", directory_api.IndustryViewSet, basename="industry")
router.register(
    "attribute-definitions",
    directory_api.AttributeDefinitionViewSet,
    basename="attributedefinition",
)
router.register("lists", segment_api.SegmentViewSet, basename="segment")
blacklist_api.register(router)
sales_api.register(router)
router.register("handover", sales_api.HandoverViewSet, basename="handover")
router.register("exports", integrations_api.ExportViewSet, basename="export")
router.register("imports", integrations_api.ImportViewSet, basename="import")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include(search_api.urlpatterns)),
    path("", include(profile_api.urlpatterns)),
    path("", include(router.urls)),
]
