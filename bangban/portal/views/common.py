"""Small helpers the portal's views share: the 长辈版 flag, rate limits per address,
forms shown one step at a time, and the safe "next" address."""

from __future__ import annotations

from django.core.cache import cache
from django.forms.utils import ErrorDict
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme

from bangban.inputs import bounded_int
from bangban.netaddr import client_ip

from ..otp import address_hash


def is_elder(request) -> bool:
    return request.COOKIES.get("elder") == "1"


def too_many(request, scope: str, limit: int, seconds: int) -> bool:
    """Count one more try of ``scope`` from this address; True once over ``limit`` in the window.

    The address is ``bangban.netaddr.client_ip``: behind a proxy, the one it vouches for.
    """
    key = f"portal:rate:{scope}:{address_hash(client_ip(request))}"
    if cache.add(key, 1, seconds):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, seconds)
        return False
    return count > limit


def safe_next(request, default: str = "/") -> str:
    """Where to go after this page: a path on this site, else ``default``.

    Only a path (``/…``) is taken: ``redirect`` would read any other word as the name of a
    URL pattern and fail on one it does not know.
    """
    target = request.POST.get("next") or request.GET.get("next") or default
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return default
    return target


class Steps:
    """Show a form a few fields at a time (one task per screen in 长辈版).

    ``groups`` lists the field names of each step. Answers of earlier steps travel as hidden
    inputs; each step validates only its own fields; the last step validates the whole form.
    With ``one_page`` every field shows at once (the standard version).
    """

    def __init__(self, request, form, groups: list[list[str]], one_page: bool):
        self.form = form
        self.groups = [sum(groups, [])] if one_page else groups
        # an empty POST leaves the form unbound: show the first step, as a GET would
        posted = request.method == "POST" and form.is_bound
        last = len(self.groups) - 1
        # a stale or edited step number lands on the nearest real step, never an error
        self.index = bounded_int(request.POST.get("_step"), 0, low=0, high=last) if posted else 0
        self.done = False
        if not posted:
            return
        form.is_valid()
        mine = set(self.groups[self.index])
        if any(name in mine for name in form.errors):
            return  # show this step again with its errors
        if self.index + 1 < len(self.groups):
            self.index += 1
            # the next step opens clean: its fields were not answered yet, not wrong
            reached = set(sum(self.groups[: self.index], []))
            form._errors = ErrorDict({k: v for k, v in form.errors.items() if k in reached})
            return
        self.done = not form.errors

    @property
    def fields(self):
        names = self.groups[self.index]
        return [self.form[name] for name in names]

    @property
    def hidden(self):
        shown = set(self.groups[self.index])
        rows = []
        for bound in self.form:
            if bound.name in shown or bound.name not in self.form.data and not bound.value():
                continue
            values = bound.value()
            values = values if isinstance(values, list | tuple) else [values]
            rows.extend((bound.html_name, v) for v in values if v not in (None, ""))
        return format_html_join("", '<input type="hidden" name="{}" value="{}">', rows)

    @property
    def step_input(self):
        return format_html('<input type="hidden" name="_step" value="{}">', self.index)

    @property
    def is_last(self) -> bool:
        return self.index + 1 >= len(self.groups)

    @property
    def number(self) -> int:
        return self.index + 1

    @property
    def count(self) -> int:
        return len(self.groups)
