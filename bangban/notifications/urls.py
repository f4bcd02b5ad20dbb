"""URLs of the notifications area: a staff member's notices and preferences."""

from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notice_list, name="index"),
    path("read/", views.notice_read, name="read"),
    path("preferences/", views.preference_save, name="preferences"),
]
