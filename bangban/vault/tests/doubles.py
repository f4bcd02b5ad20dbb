"""A test double of the 电子证照库: answers what a test put in ``LICENCES``."""

from bangban.vault.licences import Licence

LICENCES: dict[tuple[str, str, str], Licence] = {}
ASKED: list[tuple[str, str, str]] = []


class FakeLicenceLookup:
    def find(self, *, licence_type: str, number: str, issuer: str) -> Licence | None:
        ASKED.append((licence_type, number, issuer))
        return LICENCES.get((licence_type, number, issuer))
