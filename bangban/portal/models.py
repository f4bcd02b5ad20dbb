"""What the public portal keeps of its own: sign-in codes, stored hashed only.

The rest of what a client does online belongs to the areas below the portal: the choice of
how to receive the result and the log of uploaded files to the case core
(``cases.models.DeliveryChoice``, ``MaterialUpload``); appointments, time slots and
home-visit requests to the visits area (``bangban.visits.models``).
"""

from django.db import models


class LoginCode(models.Model):
    """A one-time code sent by SMS: to sign in (demo identity, see identity.py) or to confirm
    a form online. ``purpose`` keeps the two apart: a sign-in code confirms nothing."""

    purpose = models.CharField(max_length=60, default="login")
    mobile_hash = models.CharField(max_length=64)
    code_hash = models.CharField(max_length=64)
    ip_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(db_index=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "短信验证码"
        verbose_name_plural = "短信验证码"
        indexes = [
            models.Index(fields=["mobile_hash", "purpose", "created_at"]),
            models.Index(fields=["ip_hash", "created_at"]),
        ]
