"""The login backend: Django's, reading a signed-in user together with their staff record.

Every staff page asks who the user is as a staff member (``cases.access.actor_for_user``)
right after the session names the user; reading both in one query saves a query on every
page. Django's own backend stays in ``AUTHENTICATION_BACKENDS`` after this one, so sessions
begun before it was added keep working.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class StaffModelBackend(ModelBackend):
    def get_user(self, user_id):
        user = (
            get_user_model()
            ._default_manager.select_related("staff__site")
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None
