"""The offline workbench, mounted at /work/offline/ (the worker itself at /work/sw.js)."""

from django.urls import path

from . import views

app_name = "offline"

urlpatterns = [
    path("", views.app, name="app"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("session/", views.session, name="session"),
    path("catalogue.json", views.catalogue, name="catalogue"),
    path("sync/", views.sync_view, name="sync"),
]
