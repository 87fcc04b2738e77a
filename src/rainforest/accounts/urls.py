from django.urls import path

from rainforest.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("otp/", views.otp_view, name="otp"),
    path("password/", views.password_change_view, name="password_change"),
    path("membership/", views.membership_switch_view, name="membership_switch"),
    path("users/", views.users_view, name="users"),
    path("users/<int:pk>/active/", views.user_active_view, name="user_active"),
    path("users/<int:pk>/password/", views.user_password_view, name="user_password"),
    path("roles/", views.roles_view, name="roles"),
    path("roles/<int:pk>/revoke/", views.role_revoke_view, name="role_revoke"),
    path("policy/", views.policy_view, name="policy"),
    path("audit/", views.audit_view, name="audit"),
    path("audit/export/", views.audit_export_view, name="audit_export"),
    path("tokens/", views.tokens_view, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke_view, name="token_revoke"),
]
