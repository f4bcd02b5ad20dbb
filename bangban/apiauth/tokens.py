"""Making, checking and revoking API tokens. Tokens are random; only their SHA-256 is kept."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from .models import ApiToken, Scope

TOKEN_PREFIX = "bb_"
# Writing "last used" on every request would turn each read into a write; once in a while is enough.
LAST_USED_EVERY = timedelta(minutes=5)


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_create(
    *, staff, name: str, days: int | None = None, scope: str = Scope.WRITE, site=None
) -> tuple[ApiToken, str]:
    """A new token for this staff member: the stored row and the token, shown only now.

    ``scope``: read, write (the default here, as for the tokens issued before scopes) or
    partner; ``site``: the site it is tied to (None: all the staff member sees)."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        staff=staff,
        scope=Scope(scope),
        site=site,
        name=name.strip() or "接口对接",
        prefix=raw[:10],
        key_hash=token_hash(raw),
        expires_at=timezone.now() + timedelta(days=days) if days else None,
    )
    return token, raw


def token_fill(token: ApiToken) -> str:
    """Give an unsaved token (from the admin form) its secret; returns the token to show once."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token.prefix, token.key_hash = raw[:10], token_hash(raw)
    return raw


def token_staff(raw: str):
    """The active staff member a usable token belongs to, or None."""
    token = token_for(raw)
    return token.staff if token is not None else None


def token_for(raw: str) -> ApiToken | None:
    """The usable token of an active staff member (with its staff and site loaded), or None."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("staff__site", "staff__user", "site")
        .filter(key_hash=token_hash(raw))
        .first()
    )
    now = timezone.now()
    if token is None or not token.is_usable(now):
        return None
    staff = token.staff
    if not staff.is_active or not staff.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def token_revoke(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
