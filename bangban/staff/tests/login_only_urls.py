"""A URLconf with the staff login but no admin: what a renamed admin login looks like."""

from django.contrib.auth import views as auth_views
from django.urls import path

urlpatterns = [path("accounts/login/", auth_views.LoginView.as_view(), name="login")]
