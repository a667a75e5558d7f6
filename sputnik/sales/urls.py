from django.urls import path

from . import (
    board_views,
    deal_form_views,
    feed_views,
    handover_views,
    setup_views,
    substitution_views,
    views,
    work_views,
)

app_name = "sales"

urlpatterns = [
    path("deals/", views.DealListView.as_view(), name="deal_list"),
    path("deals/<int:pk>/", views.DealDetailView.as_view(), name="deal"),
    path("deals/<int:pk>/move/", views.DealMoveView.as_view(), name="deal_move"),
    path("deals/board/", board_views.DealBoardView.as_view(), name="deal_board"),
    path(
        "deals/<int:pk>/board-move/",
        board_views.DealBoardMoveView.as_view(),
        name="deal_board_move",
    ),
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

# Deal forms and the sales setup pages.
S = setup_views
urlpatterns += [
    path("deals/new/", deal_form_views.DealCreateView.as_view(), name="deal_create"),
    path("deals/<int:pk>/edit/", deal_form_views.DealUpdateView.as_view(), name="deal_update"),
    path("sales/setup/pipelines/", S.PipelineListView.as_view(), name="setup_pipelines"),
    path(
        "sales/setup/pipelines/new/",
        S.PipelineCreateView.as_view(),
        name="setup_pipeline_create",
    ),
    path("sales/setup/pipelines/<int:pk>/", S.PipelineDetailView.as_view(), name="setup_pipeline"),
    path(
        "sales/setup/pipelines/<int:pk>/edit/",
        S.PipelineUpdateView.as_view(),
        name="setup_pipeline_update",
    ),
    path(
        "sales/setup/pipelines/<int:pk>/delete/",
        S.PipelineDeleteView.as_view(),
        name="setup_pipeline_delete",
    ),
    path(
        "sales/setup/pipelines/<int:pipeline>/stages/new/",
        S.StageCreateView.as_view(),
        name="setup_stage_create",
    ),
    path("sales/setup/stages/<int:pk>/", S.StageUpdateView.as_view(), name="setup_stage_update"),
    path(
        "sales/setup/stages/<int:pk>/delete/",
        S.StageDeleteView.as_view(),
        name="setup_stage_delete",
    ),
    path("sales/setup/stages/<int:pk>/move/", S.StageMoveView.as_view(), name="setup_stage_move"),
    path("sales/setup/loss-reasons/", S.LossReasonListView.as_view(), name="setup_loss_reasons"),
    path(
        "sales/setup/loss-reasons/new/",
        S.LossReasonCreateView.as_view(),
        name="setup_loss_reason_create",
    ),
    path(
        "sales/setup/loss-reasons/<int:pk>/",
        S.LossReasonUpdateView.as_view(),
        name="setup_loss_reason_update",
    ),
    path(
        "sales/setup/loss-reasons/<int:pk>/delete/",
        S.LossReasonDeleteView.as_view(),
        name="setup_loss_reason_delete",
    ),
    path("sales/setup/results/", S.ResultListView.as_view(), name="setup_results"),
    path("sales/setup/results/new/", S.ResultCreateView.as_view(), name="setup_result_create"),
    path("sales/setup/results/<int:pk>/", S.ResultUpdateView.as_view(), name="setup_result_update"),
    path(
        "sales/setup/results/<int:pk>/delete/",
        S.ResultDeleteView.as_view(),
        name="setup_result_delete",
    ),
    path("sales/setup/rules/", S.RuleListView.as_view(), name="setup_rules"),
    path("sales/setup/rules/new/", S.RuleCreateView.as_view(), name="setup_rule_create"),
    path("sales/setup/rules/<int:pk>/", S.RuleUpdateView.as_view(), name="setup_rule_update"),
    path(
        "sales/setup/rules/<int:pk>/delete/", S.RuleDeleteView.as_view(), name="setup_rule_delete"
    ),
]

# My work and quick contact logging.
urlpatterns += [
    path("work/", work_views.MyWorkView.as_view(), name="my_work"),
    path("work/contacts/<int:pk>/done/", work_views.ContactDoneView.as_view(), name="work_done"),
    path(
        "work/contacts/<int:pk>/cancel/",
        work_views.ContactCancelView.as_view(),
        name="work_cancel",
    ),
    path("interactions/quick/", work_views.QuickLogView.as_view(), name="interaction_quick"),
]
