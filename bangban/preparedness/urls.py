"""The workbench's preparedness pages, mounted at /work/preparedness/ (see views.py)."""

from django.urls import path

from . import views

app_name = "preparedness"

urlpatterns = [
    path("", views.index, name="index"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("surges/<int:pk>/", views.surge_detail, name="surge"),
]
