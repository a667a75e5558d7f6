from django.urls import include, path

from . import (
    attribute_views,
    dossier_views,
    lookup,
    merge_views,
    reference_views,
    segment_views,
    views,
)

app_name = "directory"

urlpatterns = [
    path("organizations/", views.OrganizationListView.as_view(), name="organization_list"),
    path("organizations/new/", views.OrganizationCreateView.as_view(), name="organization_create"),
    path(
        "organizations/<int:pk>/",
        views.OrganizationDetailView.as_view(),
        name="organization_detail",
    ),
    path(
        "organizations/<int:pk>/dossier/",
        dossier_views.OrganizationDossierView.as_view(),
        name="organization_dossier",
    ),
    path(
        "organizations/<int:pk>/lists/",
        views.OrganizationListsView.as_view(),
        name="organization_lists",
    ),
    path("persons/<int:pk>/lists/", views.PersonListsView.as_view(), name="person_lists"),
    path(
        "organizations/<int:pk>/panels/<slug:slot>/",
        dossier_views.OrganizationPanelsView.as_view(),
        name="organization_panels",
    ),
    path(
        "organizations/<int:pk>/dossier/print/",
        dossier_views.OrganizationDossierPrintView.as_view(),
        name="organization_dossier_print",
    ),
    path(
        "organizations/<int:pk>/dossier/pdf/",
        dossier_views.OrganizationDossierPdfView.as_view(),
        name="organization_dossier_pdf",
    ),
    path(
        "organizations/<int:pk>/edit/",
        views.OrganizationUpdateView.as_view(),
        name="organization_update",
    ),
    path(
        "organizations/<int:pk>/contacts/",
        views.OrganizationContactsView.as_view(),
        name="organization_contacts",
    ),
    path(
        "organizations/<int:pk>/people/new/",
        views.EmploymentCreateView.as_view(),
        name="employment_create",
    ),
    path(
        "organizations/<int:pk>/merge/",
        merge_views.OrganizationMergeView.as_view(),
        name="organization_merge",
    ),
    path("persons/<int:pk>/merge/", merge_views.PersonMergeView.as_view(), name="person_merge"),
    path("persons/", views.PersonListView.as_view(), name="person_list"),
    path("persons/new/", views.PersonCreateView.as_view(), name="person_create"),
    path("persons/<int:pk>/", views.PersonDetailView.as_view(), name="person_detail"),
    path("persons/<int:pk>/edit/", views.PersonUpdateView.as_view(), name="person_update"),
    path("persons/<int:pk>/contacts/", views.PersonContactsView.as_view(), name="person_contacts"),
    path(
        "employments/<int:pk>/edit/", views.EmploymentUpdateView.as_view(), name="employment_update"
    ),
    path("categories/", reference_views.CategoryListView.as_view(), name="category_list"),
    path("industries/", reference_views.IndustryListView.as_view(), name="industry_list"),
    path(
        "attributes/", attribute_views.AttributeDefinitionListView.as_view(), name="attribute_list"
    ),
    path(
        "attributes/new/",
        attribute_views.AttributeDefinitionCreateView.as_view(),
        name="attribute_create",
    ),
    path(
        "attributes/<int:pk>/edit/",
        attribute_views.AttributeDefinitionUpdateView.as_view(),
        name="attribute_update",
    ),
    path("lookup/<str:kind>/", lookup.LookupView.as_view(), name="lookup"),
    path("lists/", segment_views.SegmentListView.as_view(), name="segment_list"),
    path("lists/new/", segment_views.SegmentCreateView.as_view(), name="segment_create"),
    path("lists/<int:pk>/", segment_views.SegmentDetailView.as_view(), name="segment_detail"),
    path("lists/<int:pk>/edit/", segment_views.SegmentUpdateView.as_view(), name="segment_update"),
    path(
        "lists/<int:pk>/criteria/",
        segment_views.SegmentCriteriaView.as_view(),
        name="segment_criteria",
    ),
    path(
        "lists/criteria/count/<str:kind>/",
        segment_views.CriteriaCountView.as_view(),
        name="segment_criteria_count",
    ),
    path(
        "lists/<int:pk>/delete/",
        segment_views.SegmentDeleteView.as_view(),
        name="segment_delete",
    ),
    path(
        "lists/<int:pk>/snapshot/",
        segment_views.SegmentSnapshotView.as_view(),
        name="segment_snapshot",
    ),
    path(
        "lists/add-selected/<str:kind>/",
        segment_views.SegmentAddSelectedView.as_view(),
        name="segment_add_selected",
    ),
    path(
        "lists/members/<str:kind>/<int:pk>/",
        segment_views.SegmentMembersView.as_view(),
        name="segment_members",
    ),
    path("", include("sputnik.directory.blacklist_urls")),
    path("", include("sputnik.directory.search_urls")),
]
