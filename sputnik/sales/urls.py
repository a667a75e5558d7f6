from django.urls import path

from . import feed_views, handover_views, substitution_views, views

app_name = "sales"

urlpatterns = [
    path("deals/", views.DealListView.as_view(), name="deal_list"),
    path("deals/<int:pk>/", views.DealDetailView.as_view(), name="deal"),
    path("deals/<int:pk>/move/", views.DealMoveView.as_view(), name="deal_move"),
    path("work/settings/", feed_views.SalesSettingsView.as_view(), name="settings"),
    path(
        "work/settings/calendar/",
        feed_views.CalendarAddressView.as_view(),
        name="settings_calendar",
    ),
    path("calendar/<str:token>.ics", feed_views.calendar_feed, name="calendar_feed"),
    path("sales/handover/", handover_views.HandoverView.as_view(), name="handover"),
    path(
        "sales/substitutions/",
        substitution_views.SubstitutionListView.as_view(),
        name="substitution_list",
    ),
    path(
        "sales/substitutions/new/",
        substitution_views.SubstitutionCreateView.as_view(),
        name="substitution_create",
    ),
    path(
        "sales/substitutions/<int:pk>/end/",
        substitution_views.SubstitutionEndView.as_view(),
        name="substitution_end",
    ),
]
