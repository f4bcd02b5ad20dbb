"""The ASGI application: HTTP through Django, WebSockets through Channels (remote help).

``runserver`` (``make run``, ``bangban serve``) serves it through daphne in embedded mode; the
scale profile runs ``daphne bangban.asgi:application`` beside gunicorn, and nginx sends
``/ws/`` to it (docs/operations.md 9.7). A WebSocket is accepted only from a page of one of
``ALLOWED_HOSTS`` (its Origin header), with the visitor's session and sign-in read from the
cookie as for any page; the consumers then decide who may join what
(``bangban/remote/consumers.py``).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangban.settings")
# Django first: it sets up the apps the consumers' models need.
django_application = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from bangban.clients.checks import refuse_to_start_with_bad_keys  # noqa: E402
from bangban.remote.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)

# daphne, like gunicorn, runs no system checks: refuse a key too short to use at start.
refuse_to_start_with_bad_keys()
