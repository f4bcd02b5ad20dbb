"""Tests for 身份证号码, 统一社会信用代码 and 手机号码 checks."""

from datetime import date

import pytest

from bangban.clients.identity import (
    IdentityError,
    age_on,
    birth_date_of,
    credit_code_check_char,
    is_elderly_by_id,
    normalize_resident_id,
    organisation_code_check_char,
    validate_credit_code,
    validate_mobile,
    validate_resident_id,
)

TODAY = date(2025, 6, 1)

# The sample number printed in GB 11643-1999.
STANDARD_SAMPLE = "11010519491231002X"


def make_resident_id(region: str, birth: str, sequence: str) -> str:
    """A made-up but well-formed number: no real person's number is needed in tests."""
    first17 = region + birth + sequence
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


def make_credit_code(prefix8: str, org_body8: str) -> str:
    """A well-formed credit code: both check characters computed here, independently."""
    charset = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    org_total = sum(
        int(c, 36) * w for c, w in zip(org_body8, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)
    )
    org_check = {10: "X", 11: "0"}.get(11 - org_total % 11, str(11 - org_total % 11))
    first17 = prefix8 + org_body8 + org_check
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    total = sum(charset.index(c) * w for c, w in zip(first17, weights, strict=True))
    return first17 + charset[(31 - total % 31) % 31]


def with_final_check(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


def error_of(func, *args, **kwargs) -> IdentityError:
    with pytest.raises(IdentityError) as excinfo:
        func(*args, **kwargs)
    return excinfo.value


# ---------------------------------------------------------------- 居民身份证号码


def test_the_standard_sample_number_is_valid_and_read_correctly():
    rid = validate_resident_id(STANDARD_SAMPLE, today=TODAY)
    assert rid.number == STANDARD_SAMPLE
    assert rid.region_code == "110105"
    assert rid.birth_date == date(1949, 12, 31)
    assert rid.sex == "女"
    assert rid.province_name == "北京市"


def test_a_lower_case_x_is_accepted_and_upper_cased():
    assert normalize_resident_id("11010519491231002x") == STANDARD_SAMPLE
    assert validate_resident_id("11010519491231002x", today=TODAY).number == STANDARD_SAMPLE


def test_spaces_and_full_width_digits_are_tolerated():
    assert validate_resident_id(" 110105 19491231 002x ", today=TODAY).number == STANDARD_SAMPLE
    assert (
        validate_resident_id("１１０１０５１９４９１２３１００２Ｘ", today=TODAY).number
        == STANDARD_SAMPLE
    )


def test_generated_numbers_are_valid_and_give_sex_and_age():
    male = make_resident_id("330106", "19800229", "123")
    rid = validate_resident_id(male, today=TODAY)
    assert rid.sex == "男"
    assert rid.birth_date == date(1980, 2, 29)
    assert rid.age(TODAY) == 45
    assert rid.age(date(2025, 2, 28)) == 44
    female = make_resident_id("440305", "20000101", "002")
    assert validate_resident_id(female, today=TODAY).sex == "女"


def test_hong_kong_macao_and_taiwan_residence_permit_codes_are_accepted():
    for region in ("810000", "820000", "830000"):
        assert validate_resident_id(make_resident_id(region, "19900101", "001"), today=TODAY)


def test_a_wrong_check_digit_is_refused():
    err = error_of(validate_resident_id, "110105194912310021", today=TODAY)
    assert err.code == "check"
    assert "校验位错误" in err.message


def test_a_single_mistyped_digit_is_caught_by_the_check_digit():
    # 1949-12-31 -> 1949-12-30 keeps a valid date, so only the check digit can catch it.
    err = error_of(validate_resident_id, "11010519491230002X", today=TODAY)
    assert err.code == "check"


def test_an_impossible_birth_date_is_refused():
    number = make_resident_id("110105", "19990230", "123")
    err = error_of(validate_resident_id, number, today=TODAY)
    assert err.code == "birth_date"
    assert "出生日期无效" in err.message


def test_a_birth_date_in_the_future_is_refused():
    number = make_resident_id("110105", "20250602", "123")
    assert error_of(validate_resident_id, number, today=TODAY).code == "birth_date"
    assert validate_resident_id(make_resident_id("110105", "20250601", "123"), today=TODAY)


def test_a_birth_year_before_1900_is_refused():
    number = make_resident_id("110105", "18991231", "123")
    assert error_of(validate_resident_id, number, today=TODAY).code == "birth_date"


def test_an_unknown_province_code_is_refused():
    for region in ("000000", "190105", "990105", "720000"):
        err = error_of(
            validate_resident_id, make_resident_id(region, "19800101", "123"), today=TODAY
        )
        assert err.code == "region"
        assert "行政区划代码无效" in err.message


def test_an_old_15_digit_number_is_refused_with_a_request_for_the_18_digit_one():
    err = error_of(validate_resident_id, "110105491231002", today=TODAY)
    assert err.code == "old_format"
    assert "18位" in err.message


def test_wrong_lengths_and_characters_are_refused():
    assert error_of(validate_resident_id, "1101051949123100", today=TODAY).code == "length"
    assert error_of(validate_resident_id, STANDARD_SAMPLE + "1", today=TODAY).code == "length"
    assert "应为18位" in error_of(validate_resident_id, "123").message
    assert error_of(validate_resident_id, "1101051949123100X2", today=TODAY).code == "characters"
    assert error_of(validate_resident_id, "11010519491231002Y", today=TODAY).code == "characters"


def test_an_empty_number_is_refused():
    assert error_of(validate_resident_id, "").code == "required"
    assert error_of(validate_resident_id, None).code == "required"
    assert error_of(validate_resident_id, "   ").code == "required"


def test_identity_error_is_a_value_error_that_reads_as_its_chinese_message():
    err = error_of(validate_resident_id, "123")
    assert isinstance(err, ValueError)
    assert str(err) == err.message


# ---------------------------------------------------------------- 统一社会信用代码

# Published codes of well-known organisations; each passes both check characters.
KNOWN_VALID_CODES = [
    "91350100M000100Y43",  # the commonly cited example
    "91440300708461136T",
    "91110108551385082Q",
    "911100001000044477",
]


@pytest.mark.parametrize("code", KNOWN_VALID_CODES)
def test_known_valid_credit_codes_are_accepted(code):
    assert validate_credit_code(code).number == code


def test_a_credit_code_is_split_into_its_parts():
    cc = validate_credit_code("91350100M000100Y43")
    assert cc.authority_code == "9"
    assert cc.category_code == "1"
    assert cc.region_code == "350100"
    assert cc.organisation_code == "M000100Y4"
    assert cc.authority_name == "工商（市场监管）"
    assert cc.category_name == "企业"


def test_the_helper_and_the_module_agree_on_check_characters():
    for code in KNOWN_VALID_CODES:
        assert make_credit_code(code[:8], code[8:16]) == code
        assert organisation_code_check_char(code[8:16]) == code[16]
        assert credit_code_check_char(code[:17]) == code[17]


@pytest.mark.parametrize(
    ("prefix", "authority", "category"),
    [
        ("11110000", "机构编制", "机关"),
        ("12330100", "机构编制", "事业单位"),
        ("31110000", "司法行政", "律师执业机构"),
        ("51440300", "民政", "社会团体"),
        ("53100000", "民政", "基金会"),
        ("71320500", "宗教", "宗教活动场所"),
        ("81500000", "工会", "基层工会"),
        ("92330106", "工商（市场监管）", "个体工商户"),
        ("93420100", "工商（市场监管）", "农民专业合作社"),
        ("A1100000", "中央军委改革和编制办公室", "军队事业单位"),
        ("N2330782", "农业", "村级集体经济组织"),
        ("Y1110000", "其他", "其他"),
    ],
)
def test_generated_codes_of_every_kind_of_authority_are_accepted(prefix, authority, category):
    cc = validate_credit_code(make_credit_code(prefix, "MA2H3K7X"))
    assert (cc.authority_name, cc.category_name) == (authority, category)


def test_an_organisation_code_check_of_ten_is_written_x_and_of_eleven_zero():
    bodies = {organisation_code_check_char(f"{n:08d}"): f"{n:08d}" for n in range(200)}
    assert "X" in bodies and "0" in bodies
    for check in ("X", "0"):
        code = make_credit_code("91110000", bodies[check])
        assert code[16] == check
        assert validate_credit_code(code).organisation_code.endswith(check)


def test_lower_case_letters_and_spaces_are_accepted_in_a_credit_code():
    assert validate_credit_code(" 91350100m000100y43 ").number == "91350100M000100Y43"


def test_a_wrong_final_check_character_is_refused():
    err = error_of(validate_credit_code, "91350100M000100Y44")
    assert err.code == "check"
    assert "校验位错误" in err.message


def test_a_single_mistyped_character_is_caught():
    err = error_of(validate_credit_code, "91350100M000200Y43")
    assert err.code == "check"


def test_a_wrong_organisation_code_check_is_refused_even_with_a_matching_final_check():
    good = "91350100M000100Y43"
    bad = with_final_check(good[:16] + "5")
    err = error_of(validate_credit_code, bad)
    assert err.code == "organisation_check"
    assert "组织机构代码" in err.message
    assert err.message != error_of(validate_credit_code, "91350100M000100Y44").message


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_letters_not_used_in_credit_codes_are_refused(letter):
    code = "91350100M000100Y43"
    err = error_of(validate_credit_code, code[:10] + letter + code[11:])
    assert err.code == "characters"
    assert letter in err.message


def test_punctuation_in_a_credit_code_is_refused():
    assert error_of(validate_credit_code, "91350100-000100Y43").code == "characters"


def test_a_credit_code_of_the_wrong_length_is_refused():
    assert error_of(validate_credit_code, "91350100M000100Y4").code == "length"
    assert error_of(validate_credit_code, "91350100M000100Y431").code == "length"
    assert error_of(validate_credit_code, "M000100Y4").code == "length"  # an old 组织机构代码
    assert error_of(validate_credit_code, "").code == "required"
    assert error_of(validate_credit_code, None).code == "required"


def test_an_unknown_authority_or_category_is_refused():
    err = error_of(validate_credit_code, with_final_check("B1350100M000100Y4"))
    assert err.code == "authority"
    err = error_of(validate_credit_code, with_final_check("94350100M000100Y4"))
    assert err.code == "category"
    assert "工商" in err.message
    assert error_of(validate_credit_code, with_final_check("Y2350100M000100Y4")).code == "category"


def test_a_region_code_with_letters_is_refused():
    err = error_of(validate_credit_code, with_final_check("9135A100M000100Y4"))
    assert err.code == "region"


# ---------------------------------------------------------------- 手机号码


def test_a_plain_mobile_number_is_returned_unchanged():
    assert validate_mobile("13812345678") == "13812345678"


@pytest.mark.parametrize(
    "written",
    [
        "+8613812345678",
        "+86 138 1234 5678",
        "008613812345678",
        "8613812345678",
        "138-1234-5678",
        " 138 1234 5678 ",
        "１３８１２３４５６７８",
    ],
)
def test_prefixes_spaces_and_dashes_are_removed_from_mobile_numbers(written):
    assert validate_mobile(written) == "13812345678"


@pytest.mark.parametrize(
    "written",
    [
        "138123456789",  # 12 digits
        "1381234567",  # 10 digits
        "12812345678",  # starts with 12
        "11812345678",
        "23812345678",
        "+85213812345678",
        "1381234567a",
        "0571-88886666",
    ],
)
def test_malformed_mobile_numbers_are_refused(written):
    err = error_of(validate_mobile, written)
    assert err.message == "手机号码格式不正确，应为11位且以1开头"


def test_an_empty_mobile_number_is_refused():
    assert error_of(validate_mobile, "").code == "required"
    assert error_of(validate_mobile, None).code == "required"


# --- age from the ID number (the 老年人 suggestion) ---------------------------------------


def test_age_on_counts_full_years_and_the_birthday_itself() -> None:
    born = date(1964, 6, 15)
    assert age_on(born, date(2024, 6, 14)) == 59
    assert age_on(born, date(2024, 6, 15)) == 60
    assert age_on(date(1964, 2, 29), date(2024, 2, 28)) == 59
    assert age_on(date(1964, 2, 29), date(2023, 3, 1)) == 59


def test_the_birth_date_and_elderly_from_a_resident_id() -> None:
    number = make_resident_id("330122", "19540615", "001")
    assert birth_date_of(number, date(2024, 1, 1)) == date(1954, 6, 15)
    assert is_elderly_by_id(number, date(2014, 6, 15))
    assert not is_elderly_by_id(number, date(2014, 6, 14))
    assert birth_date_of("123", date(2024, 1, 1)) is None
    assert not is_elderly_by_id("", date(2024, 1, 1))
