"""一表申请, the pure rule: fields several forms ask are asked once; the rest stay each form's own."""

from bangban.catalogue.formfields import (
    FieldSpec,
    answer_problems,
    changed_fields,
    cleaned,
    plan,
)

NAME = FieldSpec("applicant_name", "申请人名称", required=True)
CODE = FieldSpec(
    "credit_code", "统一社会信用代码", pattern=r"[0-9A-Z]{18}", pattern_hint="18位代码"
)
PHONE = FieldSpec("contact_phone", "联系电话", required=True, pattern=r"1\d{10}")
STAFF = FieldSpec("employees", "从业人员数", type="number", required=True)
OPENING = FieldSpec("opening_date", "拟开业日期", type="date")
VOLUME = FieldSpec("drainage_volume", "日排水量（吨）", type="number", required=True)


def test_a_field_two_forms_ask_is_shared_and_asked_once_with_every_form_that_uses_it():
    result = plan(
        [
            ("licence", [NAME, CODE, PHONE, STAFF]),
            ("registration", [NAME, PHONE, OPENING]),
            ("drainage", [CODE, NAME, PHONE, VOLUME]),
        ]
    )
    assert [(a.code, a.owners) for a in result.shared] == [
        ("applicant_name", ["licence", "registration", "drainage"]),
        ("credit_code", ["licence", "drainage"]),
        ("contact_phone", ["licence", "registration", "drainage"]),
    ]
    assert [(owner, [a.code for a in asked]) for owner, asked in result.own] == [
        ("licence", ["employees"]),
        ("registration", ["opening_date"]),
        ("drainage", ["drainage_volume"]),
    ]
    codes = [spec.code for spec in result.fields]
    assert len(codes) == len(set(codes)) == 6


def test_a_shared_field_is_required_when_any_form_requires_it():
    optional_code = CODE
    required_code = FieldSpec(CODE.code, CODE.label, required=True)
    result = plan([("a", [optional_code]), ("b", [required_code])])
    assert result.shared[0].spec.required


def test_one_form_alone_shares_nothing():
    result = plan([("only", [NAME, PHONE])])
    assert result.shared == []
    assert [a.code for a in result.own[0][1]] == ["applicant_name", "contact_phone"]


def test_a_missing_required_field_a_bad_number_date_or_format_and_an_unknown_field_are_refused():
    problems = answer_problems(
        [NAME, CODE, PHONE, STAFF, OPENING],
        {
            "applicant_name": "  ",
            "credit_code": "123",
            "contact_phone": "13800000000",
            "employees": "五",
            "opening_date": "2026-13-40",
            "nickname": "x",
        },
    )
    assert problems == {
        "applicant_name": "请填写申请人名称",
        "credit_code": "统一社会信用代码格式不正确（应为18位代码）",
        "employees": "从业人员数应为数字",
        "opening_date": "拟开业日期应为日期，如 2026-05-08",
        "nickname": "“nickname”不是本办件申请表的字段",
    }


def test_a_complete_answer_set_has_no_problem_and_blank_optional_fields_are_left_out():
    answers = {"applicant_name": " 张记小吃 ", "contact_phone": "13800000000", "employees": "3"}
    assert answer_problems([NAME, CODE, PHONE, STAFF, OPENING], answers) == {}
    assert cleaned({**answers, "opening_date": ""}) == {
        "applicant_name": "张记小吃",
        "contact_phone": "13800000000",
        "employees": "3",
    }


def test_what_changed_between_two_answer_sets():
    assert changed_fields({"a": "1", "b": "2"}, {"a": "1", "b": "3", "c": "4"}) == ["b", "c"]
    assert changed_fields({"a": "1"}, {}) == ["a"]
