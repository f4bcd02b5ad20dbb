import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangban.settings")
application = get_wsgi_application()

# gunicorn does not run the system checks: refuse to start with a key too short to use,
# rather than answer 500 on the first request that touches personal data.
from bangban.clients.checks import refuse_to_start_with_bad_keys  # noqa: E402

refuse_to_start_with_bad_keys()
