"""What every page's header needs to know about the person signed in."""

from __future__ import annotations

from .selectors import may_use_admin


def admin_link(request) -> dict:
    # a callable: the template calls it (and reads the permissions) only where it is shown
    return {"may_use_admin": lambda: may_use_admin(getattr(request, "user", None))}
