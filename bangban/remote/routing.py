"""The WebSocket addresses of remote help (bangban/asgi.py routes ``websocket`` here)."""

from django.urls import path

from .consumers import QueueConsumer, SessionConsumer

websocket_urlpatterns = [
    path("ws/remote/sessions/<int:session_id>/", SessionConsumer.as_asgi()),
    path("ws/remote/queue/", QueueConsumer.as_asgi()),
]
