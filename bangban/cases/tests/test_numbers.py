"""A number is written PREFIX-SITE-YEAR-NNNNNN and read back into the same parts."""

from bangban.cases.numbers import Number, format_number, parse_number


def test_a_number_reads_back_into_what_wrote_it():
    written = format_number("BJ", "V1", 2026, 123)
    assert written == "BJ-V1-2026-000123"
    assert parse_number(written) == Number("BJ", "V1", 2026, 123)
    assert parse_number(written).series == "BJ-V1-2026"


def test_a_site_code_with_a_hyphen_is_kept_whole():
    assert parse_number("SL-T1-V2-2027-000001") == Number("SL", "T1-V2", 2027, 1)


def test_anything_else_is_no_number():
    for text in ("", "BJ-2026-000001", "bj-V1-2026-000001", "BJ-V1-26-000001", "随便写的"):
        assert parse_number(text) is None
