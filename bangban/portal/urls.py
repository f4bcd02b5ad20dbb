from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("elder/toggle/", views.elder_toggle, name="elder-toggle"),
    path("", include("bangban.catalogue.urls")),
]
