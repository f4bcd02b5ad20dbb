"""The SMS that tells a client their mobile or address was corrected (个人信息更正告知).

Called when ``bangban.cases.clients.client_correct`` publishes ``ClientCorrected``
(``subscribers.py``), inside its transaction, so the correction and its message are
committed together or not at all, whichever page or API made it. A changed mobile is told at the OLD number (whoever holds the phone the account
moved away from learns of it, and can say it was not them); a changed address at the
mobile as registered. The text shows the new value masked only, and long runs of digits
in the reason (a number typed into it) are masked too.
"""

from __future__ import annotations

from django.utils import timezone

from bangban.clients import masking

from . import outbox

TEMPLATE = "client.details_corrected"
REASON_SHOWN = 30


def reason_for_sms(reason: str) -> str:
    """The reason as the SMS shows it: short, with no full number in it."""
    text = masking.mask_numbers(" ".join((reason or "").split()))
    return text if len(text) <= REASON_SHOWN else text[: REASON_SHOWN - 1] + "…"


def client_corrected(correction, *, old_mobile: tuple[str, str] = ("", "")) -> int:
    """Queue the SMS of one ``ClientCorrection``; return how many rows were written.

    ``old_mobile`` is (ciphertext, masked) of the mobile before a mobile correction: the
    SMS goes there, or is recorded as skipped when there was none.
    """
    at = timezone.localtime(correction.at)
    site = correction.site
    return outbox.enqueue(
        template=TEMPLATE,
        recipients=[correction.client],
        context={
            "field": correction.get_field_display(),
            "new_value": correction.new_masked,
            "reason": reason_for_sms(correction.reason),
            "day": f"{at.month}月{at.day}日",
            "site_name": site.name,
            "site_phone": site.phone,
        },
        dedupe=f"correction:{correction.pk}",
        ref=f"client_correction:{correction.pk}",
        sms_to=old_mobile if correction.field == "mobile" else None,
    )
