"""The workbench's remote-help pages, mounted at /work/remote/ (see views.py)."""

from django.urls import path

from . import views

app_name = "remote"

urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("queue/<int:pk>/answer/", views.answer, name="answer"),
    path("queue/<int:pk>/call-back/", views.call_back, name="call-back"),
    path("ask/", views.ask, name="ask"),
    path("asked/<int:pk>/", views.waiting, name="waiting"),
    path("rota/", views.rota_page, name="rota"),
    path("sessions/", views.sessions, name="sessions"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/live/", views.session_live, name="session-live"),
    path("sessions/<int:pk>/photos/<int:photo_id>/", views.session_photo_file, name="photo"),
    path("sessions/<int:pk>/photos/<int:photo_id>/keep/", views.photo_keep, name="photo-keep"),
]
