"""Electronic licences (电子证照, trust level A): looked up by type, number and issuer.

``LicenceLookup`` is the port; ``settings.VAULT_LICENCE_LOOKUP`` names the class used. The
real one is the province's 电子证照库 (its query interface answers the same three keys with
the holder, the validity and whether the licence was revoked); this platform ships
``DemoLicenceLookup``, a small table of demo licences, and the tests use a double
(``vault/tests/doubles.py``). Nothing else in Bangban knows which one is configured.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

DEFAULT_LOOKUP = "bangban.vault.licences.DemoLicenceLookup"


@dataclass(frozen=True)
class Licence:
    licence_type: str
    number: str
    issuer: str
    holder: str  # the holder's name (a person's or an organisation's)
    valid_until: date | None = None
    revoked: bool = False


class LicenceLookup(Protocol):
    def find(self, *, licence_type: str, number: str, issuer: str) -> Licence | None:
        """The licence with these three keys, or None if the 电子证照库 has none."""
        ...


DEMO_LICENCES = (
    Licence("营业执照", "92330100MA2DEMO01X", "示范县市场监督管理局", "张三", None),
    Licence("居民身份证", "110105194912310021", "示范县公安局", "张三", date(2036, 5, 1)),
    Licence(
        "食品经营许可证", "JY13301000000001", "示范县市场监督管理局", "张三", date(2029, 12, 31)
    ),
    Licence("不动产权证书", "示范(2024)不动产权第0000001号", "示范县自然资源局", "李四", None),
    Licence("营业执照", "92330100MA2DEMO99X", "示范县市场监督管理局", "王五", None, revoked=True),
)


class DemoLicenceLookup:
    """The demo platform's 电子证照库: the licences of ``DEMO_LICENCES``."""

    licences: tuple[Licence, ...] = DEMO_LICENCES

    def find(self, *, licence_type: str, number: str, issuer: str) -> Licence | None:
        for licence in self.licences:
            if (licence.licence_type, licence.number, licence.issuer) == (
                licence_type,
                number,
                issuer,
            ):
                return licence
        return None


@cache
def _lookup_class(path: str) -> type:
    return import_string(path)


def licence_lookup() -> LicenceLookup:
    """The configured lookup (``settings.VAULT_LICENCE_LOOKUP``)."""
    return _lookup_class(getattr(settings, "VAULT_LICENCE_LOOKUP", DEFAULT_LOOKUP))()
