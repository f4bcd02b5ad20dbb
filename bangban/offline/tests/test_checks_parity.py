"""The offline desk judges an ID number and a mobile as the server does, in the same words
(static/offline/checks.js against bangban.clients.identity), run in Chromium, where the
offline page runs it (the browser tests: ``make test-browser``)."""

from pathlib import Path

from bangban.clients import identity
from bangban.testing import make_resident_id

CHECKS = Path(__file__).resolve().parents[1] / "static" / "offline" / "checks.js"
GOOD = make_resident_id("33012219500101001")
IDS = [
    GOOD,
    GOOD.lower(),
    " " + GOOD[:6] + " " + GOOD[6:],
    GOOD[:-1] + ("0" if GOOD[-1] != "0" else "1"),
    "",
    "330122500101001",
    "33012219500101",
    "33012219500101001A",
    "99012219500101001" + "0",
    make_resident_id("33012219500230001"),
    make_resident_id("33012218500101001"),
    make_resident_id("33012230000101001"),
    make_resident_id("11010519491231002"),
    "１１０１０５１９４９１２３１００２" + make_resident_id("11010519491231002")[-1],
]
MOBILES = [
    "13812345678",
    "+86 138-1234-5678",
    "008613812345678",
    "8613812345678",
    "12812345678",
    "1381234567",
    "",
    "１３８１２３４５６７８",
]


def python_side(value, check):
    try:
        return (
            {"number": check(value)}
            if check is identity.validate_mobile
            else {"number": check(value).number}
        )
    except identity.IdentityError as error:
        return {"error": error.message}


def test_id_and_mobile_checks_in_the_page_match_the_servers(page):
    page.set_content("<!doctype html><title>checks</title>")
    page.add_script_tag(content=CHECKS.read_text(encoding="utf-8"))
    js = page.evaluate(
        "([ids, mobiles]) => ({ids: ids.map(v => BangbanChecks.residentId(v)),"
        " mobiles: mobiles.map(v => BangbanChecks.mobile(v))})",
        [IDS, MOBILES],
    )
    assert js["ids"] == [python_side(v, identity.validate_resident_id) for v in IDS]
    assert js["mobiles"] == [python_side(v, identity.validate_mobile) for v in MOBILES]
