"""The documents pages alone, as mounted in the project (tests do not depend on other areas),
with the login pages and the admin every request's middleware names (``staff.lockout``)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("documents/", include("bangban.documents.urls")),
]
