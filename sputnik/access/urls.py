from django.contrib.auth import views as auth_views
from django.urls import path

from . import account_views, audit_views, views

app_name = "access"

urlpatterns = [
    path("accounts/login/", account_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/otp/", account_views.OTPVerifyView.as_view(), name="otp_verify"),
    path("accounts/otp/setup/", account_views.OTPSetupView.as_view(), name="otp_setup"),
    path("accounts/otp/disable/", account_views.OTPDisableView.as_view(), name="otp_disable"),
    path("profile/", account_views.ProfileView.as_view(), name="profile"),
    path("profile/password/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path("profile/token/", account_views.TokenView.as_view(), name="token"),
    path("language/", account_views.language_switch, name="language"),
    path("notifications/", account_views.NotificationListView.as_view(), name="notifications"),
    path("lines/", views.LineListView.as_view(), name="line_list"),
    path("lines/new/", views.LineCreateView.as_view(), name="line_create"),
    path("lines/<int:pk>/", views.LineDetailView.as_view(), name="line_detail"),
    path("lines/<int:pk>/edit/", views.LineUpdateView.as_view(), name="line_update"),
    path("lines/<int:pk>/members/", views.LineMembersView.as_view(), name="line_members"),
    path("employees/", views.UserListView.as_view(), name="user_list"),
    path("employees/new/", views.UserCreateView.as_view(), name="user_create"),
    path("employees/<int:pk>/", views.UserDetailView.as_view(), name="user_detail"),
    path("employees/<int:pk>/edit/", views.UserUpdateView.as_view(), name="user_update"),
    path(
        "employees/<int:pk>/unlock/",
        views.UserSecurityActionView.as_view(),
        {"what": "unlock"},
        name="user_unlock",
    ),
    path(
        "employees/<int:pk>/reset-second-factor/",
        views.UserSecurityActionView.as_view(),
        {"what": "reset_second_factor"},
        name="user_reset_second_factor",
    ),
    path("departments/", views.DepartmentListView.as_view(), name="department_list"),
    path("departments/new/", views.DepartmentCreateView.as_view(), name="department_create"),
    path(
        "departments/<int:pk>/edit/", views.DepartmentUpdateView.as_view(), name="department_update"
    ),
    path("roles/", views.RoleListView.as_view(), name="role_list"),
    path("audit/", audit_views.AuditLogView.as_view(), name="audit_log"),
    path("audit/security/", audit_views.SecurityEventListView.as_view(), name="security_events"),
    path("audit/export/", audit_views.AuditExportStartView.as_view(), name="audit_export_start"),
    path("audit/exports/<int:pk>/", audit_views.AuditExportView.as_view(), name="audit_export"),
    path(
        "audit/exports/<int:pk>/download/",
        audit_views.AuditExportDownloadView.as_view(),
        name="audit_export_download",
    ),
    path(
        "history/<str:app_label>/<str:model>/<int:pk>/",
        audit_views.HistoryView.as_view(),
        name="history",
    ),
]
