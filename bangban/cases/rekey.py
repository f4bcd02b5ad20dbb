"""Re-encrypt every stored personal field under the current suite and key (``pii_rekey``).

Used after switching ``BANGBAN_CRYPTO_SUITE`` (e.g. ``legacy`` → ``sm``) and to rotate the key
(``BANGBAN_PERSONAL_DATA_KEY`` new, ``BANGBAN_PERSONAL_DATA_KEY_OLD`` the one being retired).
Each row is done on its own, in its own short transaction with the row locked: the token is
decrypted under whichever suite and key made it, encrypted again under the current ones, and
the row's blind-index hashes are recomputed from the same plaintext. A row whose tokens are
already current (prefix of the suite, decrypting under the current key) and whose hashes are
current is left alone, so an interrupted run is simply started again and only does what is
left; until then every row stays readable and findable (``pii.reveal``, ``pii.lookups``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.db import transaction

from bangban.clients import pii
from bangban.clients.crypto import DecryptionError

from . import application_sealing, delivery


@dataclass(frozen=True)
class Protected:
    cipher: str  # the column holding the token
    hash: str | None = None  # the column holding its blind index, if searched
    kind: str | Callable[[object], str] = "mobile"  # what the hash is of (pii.lookup kind)

    def kind_of(self, row) -> str:
        return self.kind(row) if callable(self.kind) else self.kind


# Every column that holds personal data encrypted with ``clients.pii``. A new one is added here.
TABLES: dict[str, tuple[Protected, ...]] = {
    "clients.Client": (
        Protected("id_number_cipher", "id_number_hash", lambda client: client.id_kind),
        Protected("mobile_cipher", "mobile_hash", "mobile"),
        Protected("address_cipher"),
    ),
    "consultations.Consultation": (Protected("contact_cipher"),),
    "oversight.Complaint": (Protected("contact_cipher", "contact_hash", "mobile"),),
    "visits.Appointment": (Protected("mobile_cipher", "mobile_hash", "mobile"),),
    "visits.HomeVisitRequest": (
        Protected("mobile_cipher", "mobile_hash", "mobile"),
        Protected("address_cipher"),
    ),
    "cases.DeliveryChoice": (Protected("address_cipher"),),
    # the old mobile an unsent "details corrected" SMS still goes to
    "notifications.Message": (Protected("to_cipher"),),
}
CASES = "cases.Case"  # Case.delivery: tokens inside JSON (``cases.delivery``)


@dataclass
class Report:
    rows: dict[str, int] = field(default_factory=dict)  # model → rows changed
    checked: int = 0
    unreadable: list[str] = field(default_factory=list)  # "<model> #<pk>" no key decrypts

    @property
    def changed(self) -> int:
        return sum(self.rows.values())

    def summary(self, *, dry_run: bool = False) -> str:
        verb = "需要重新加密" if dry_run else "已重新加密"
        parts = "，".join(f"{label} {n} 行" for label, n in self.rows.items() if n) or "无"
        return f"共检查 {self.checked} 行，{verb} {self.changed} 行（{parts}）"


def _changes(row, columns: tuple[Protected, ...]) -> dict:
    """The column values that would make this row current ({} when it already is)."""
    update = {}
    for column in columns:
        token = getattr(row, column.cipher)
        if not token:
            continue
        plain = pii.reveal(token)
        if not pii.is_current(token):
            update[column.cipher] = pii.encrypt(plain)
        if column.hash:
            value_hash = pii.lookup(column.kind_of(row), plain)
            if getattr(row, column.hash) != value_hash:
                update[column.hash] = value_hash
    return update


def rekey_row(model, pk: int, columns: tuple[Protected, ...] | None, *, dry_run: bool) -> bool:
    """Bring one row to the current suite and key; True when it needed it."""
    with transaction.atomic():
        row = model.objects.select_for_update().filter(pk=pk).first()
        if row is None:  # deleted meanwhile
            return False
        if columns is None:  # a case: the tokens inside its delivery details and 一表申请
            new = delivery.rekeyed(row.delivery)
            update = {"delivery": new} if new is not None else {}
            if (answers := application_sealing.rekeyed(row.application)) is not None:
                update["application"] = answers
        else:
            update = _changes(row, columns)
        if update and not dry_run:
            model.objects.filter(pk=pk).update(**update)
        return bool(update)


def _pks(model, chunk_size: int) -> Iterator[int]:
    last = 0
    while True:
        chunk = list(
            model.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:chunk_size]
        )
        if not chunk:
            return
        yield from chunk
        last = chunk[-1]


def rekey_all(
    *, dry_run: bool = False, chunk_size: int = 500, progress: Callable[[str], None] | None = None
) -> Report:
    """Re-encrypt and re-index every personal field; safe to interrupt and run again."""
    report = Report()
    for label, columns in [*TABLES.items(), (CASES, None)]:
        model = apps.get_model(label)
        changed = 0
        for pk in _pks(model, chunk_size):
            report.checked += 1
            try:
                changed += rekey_row(model, pk, columns, dry_run=dry_run)
            except DecryptionError:  # neither key opens it: say so, do the rest
                report.unreadable.append(f"{model._meta.verbose_name} #{pk}")
        report.rows[model._meta.verbose_name] = changed
        if progress:
            progress(f"{model._meta.verbose_name}：{changed} 行")
    return report


def clear_deliver_events() -> int:
    """How many ``deliver`` events hold an address or recipient in clear (written before
    delivery details were encrypted). The chain covers them, so they cannot be re-encrypted
    or erased without failing ``audit verify``; the operations guide says what to do."""
    from .models import CaseEvent

    count = 0
    deliveries = CaseEvent.objects.filter(event="deliver").values_list("details", flat=True)
    for details in deliveries.iterator(chunk_size=2000):
        details = details or {}
        if any(
            details.get(f) and not str(details[f]).startswith("hmac-") for f in delivery.PERSONAL
        ):
            count += 1
    return count
