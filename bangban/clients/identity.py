"""Checks for the numbers that identify a client: 居民身份证号码, 统一社会信用代码, 手机号码.

Plain Python on purpose (no Django import), so forms, models, imports from spreadsheets and
command-line tools can all share one set of rules.

Every refusal raises :class:`IdentityError`, whose message is a Chinese sentence a service-hall
worker can read out to the client, and whose ``code`` is a short stable English word that code
and tests can compare against (and that a Django form can pass on as its error code).

Rules implemented:

* 居民身份证号码 — GB 11643-1999: 17 digits + check character (digit or X); the first two digits
  are a province-level code of GB/T 2260 (plus 81/82/83 used by the residence permits of
  Hong Kong, Macao and Taiwan residents); digits 7–14 are the birth date; digit 17 is odd for
  men and even for women; the check character is ISO 7064 MOD 11-2.
* 统一社会信用代码 — GB 32100-2015: 18 characters from ``0-9`` and ``A-Z`` without I, O, Z, S, V;
  registration authority code, category code, 6-digit region code, 9-character organisation
  code (GB 11714, with its own check character) and a final ISO 7064 MOD 31-3 check character.
* 手机号码 — mainland mobile numbers: 11 digits starting with 13–19, optionally written with
  +86 / 0086 / 86, spaces or dashes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

__all__ = [
    "CREDIT_CODE_AUTHORITIES",
    "ELDERLY_AGE",
    "CreditCode",
    "IdentityError",
    "ResidentId",
    "age_on",
    "birth_date_of",
    "credit_code_check_char",
    "is_elderly_by_id",
    "normalize_credit_code",
    "normalize_resident_id",
    "organisation_code_check_char",
    "resident_id_check_char",
    "validate_credit_code",
    "validate_mobile",
    "validate_resident_id",
]


class IdentityError(ValueError):
    """A number was refused; ``message`` is for people, ``code`` is for programs."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message


def _clean(value: object) -> str:
    """Fold full-width characters (typed with a Chinese input method) and drop all whitespace."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return "".join(text.split())


# --------------------------------------------------------------------------------------------
# 居民身份证号码 (GB 11643-1999)
# --------------------------------------------------------------------------------------------

#: Province-level codes of GB/T 2260, plus 81/82/83 (港澳台居民居住证).
PROVINCE_CODES: dict[str, str] = {
    "11": "北京市",
    "12": "天津市",
    "13": "河北省",
    "14": "山西省",
    "15": "内蒙古自治区",
    "21": "辽宁省",
    "22": "吉林省",
    "23": "黑龙江省",
    "31": "上海市",
    "32": "江苏省",
    "33": "浙江省",
    "34": "安徽省",
    "35": "福建省",
    "36": "江西省",
    "37": "山东省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "44": "广东省",
    "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "54": "西藏自治区",
    "61": "陕西省",
    "62": "甘肃省",
    "63": "青海省",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
    "71": "台湾省",
    "81": "香港特别行政区",
    "82": "澳门特别行政区",
    # 台湾居民居住证 numbers start with 830000 (GB/T 2260 itself lists Taiwan as 71).
    "83": "台湾地区（居住证）",
}

_RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RESIDENT_ID_CHECK_MAP = "10X98765432"
_RESIDENT_ID_RE = re.compile(r"^[0-9]{17}[0-9X]$")
_MIN_BIRTH_YEAR = 1900


@dataclass(frozen=True)
class ResidentId:
    """A valid 18-character 居民身份证号码 and what it says about its holder."""

    number: str
    region_code: str
    birth_date: date
    sex: str  # "男" or "女"

    @property
    def province_code(self) -> str:
        return self.region_code[:2]

    @property
    def province_name(self) -> str:
        return PROVINCE_CODES[self.province_code]

    def age(self, today: date | None = None) -> int:
        """Age in full years on ``today`` (defaults to the current date)."""
        return age_on(self.birth_date, today or date.today())


#: 老年人: 年满60周岁 (《中华人民共和国老年人权益保障法》第二条).
ELDERLY_AGE = 60


def age_on(birth_date: date, today: date) -> int:
    """Age in full years on ``today``: one more year on the birthday itself.

    Someone born on 29 February turns a year older on 1 March in a common year.
    """
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - int(before_birthday)


def birth_date_of(value: str | None, today: date) -> date | None:
    """The birth date an 18-character 居民身份证号码 states, or None when the number is invalid."""
    try:
        return validate_resident_id(value, today=today).birth_date
    except IdentityError:
        return None


def is_elderly_by_id(value: str | None, today: date) -> bool:
    """Whether the ID number says its holder is 60 or over on ``today``.

    ``today`` is the county's date (the caller passes ``timezone.localdate()``): a
    suggestion for staff to confirm, never a flag set on its own.
    """
    born = birth_date_of(value, today)
    return born is not None and age_on(born, today) >= ELDERLY_AGE


def normalize_resident_id(value: str | None) -> str:
    """Remove spaces (also full-width ones), fold full-width digits and upper-case a final ``x``."""
    return _clean(value).upper()


def resident_id_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("need exactly 17 ASCII digits")
    total = sum(int(d) * w for d, w in zip(first17, _RESIDENT_ID_WEIGHTS, strict=True))
    return _RESIDENT_ID_CHECK_MAP[total % 11]


def validate_resident_id(value: str | None, today: date | None = None) -> ResidentId:
    """Check an 18-character 居民身份证号码 and return its parts.

    ``today`` is the date a birth date may not be later than (defaults to the current date).
    Raises :class:`IdentityError` with a message for the worker when the number is wrong.
    """
    number = normalize_resident_id(value)
    if not number:
        raise IdentityError("请填写身份证号码", "required")
    if len(number) == 15 and number.isascii() and number.isdigit():
        raise IdentityError(
            "这是15位旧身份证号码，已停止使用，请提供18位居民身份证号码", "old_format"
        )
    if len(number) != 18:
        raise IdentityError(f"身份证号码应为18位，当前为{len(number)}位", "length")
    if not _RESIDENT_ID_RE.match(number):
        raise IdentityError("身份证号码只能由数字组成，最后一位可以是数字或X", "characters")

    region_code = number[:6]
    if region_code[:2] not in PROVINCE_CODES:
        raise IdentityError("行政区划代码无效：身份证号码前两位不是有效的省份代码", "region")

    try:
        birth_date = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdentityError(
            "出生日期无效：身份证号码第7至14位不是真实的日期", "birth_date"
        ) from None
    if birth_date.year < _MIN_BIRTH_YEAR:
        raise IdentityError("出生日期无效：出生年份早于1900年", "birth_date")
    if birth_date > (today or date.today()):
        raise IdentityError("出生日期无效：出生日期晚于今天", "birth_date")

    if resident_id_check_char(number[:17]) != number[17]:
        raise IdentityError("身份证号码校验位错误，请核对最后一位（也可能是其他位填错）", "check")

    sex = "男" if int(number[16]) % 2 == 1 else "女"
    return ResidentId(number=number, region_code=region_code, birth_date=birth_date, sex=sex)


# --------------------------------------------------------------------------------------------
# 统一社会信用代码 (GB 32100-2015) and 组织机构代码 (GB 11714)
# --------------------------------------------------------------------------------------------

#: The 31 characters a credit code may contain, in the order of their MOD 31 value.
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_CODE_VALUES = {c: i for i, c in enumerate(CREDIT_CODE_CHARSET)}
_CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

#: 登记管理部门代码 → (name, {机构类别代码: name}), as assigned under GB 32100-2015.
CREDIT_CODE_AUTHORITIES: dict[str, tuple[str, dict[str, str]]] = {
    "1": (
        "机构编制",
        {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},
    ),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": (
        "司法行政",
        {
            "1": "律师执业机构",
            "2": "公证处",
            "3": "基层法律服务所",
            "4": "司法鉴定机构",
            "5": "仲裁委员会",
            "9": "其他",
        },
    ),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": (
        "旅游",
        {
            "1": "外国旅游部门常驻代表机构",
            "2": "港澳台地区旅游部门常驻内地（大陆）代表机构",
            "9": "其他",
        },
    ),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商（市场监管）", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": (
        "农业",
        {
            "1": "组级集体经济组织",
            "2": "村级集体经济组织",
            "3": "乡镇级集体经济组织",
            "9": "其他",
        },
    ),
    "Y": ("其他", {"1": "其他"}),
}


@dataclass(frozen=True)
class CreditCode:
    """A valid 统一社会信用代码 and its parts."""

    number: str
    authority_code: str  # 登记管理部门代码, 1st character
    category_code: str  # 机构类别代码, 2nd character
    region_code: str  # 登记管理机关行政区划码, characters 3–8
    organisation_code: str  # 主体标识码（组织机构代码）, characters 9–17
    authority_name: str  # e.g. "工商（市场监管）"
    category_name: str  # e.g. "企业"


def normalize_credit_code(value: str | None) -> str:
    """Remove spaces, fold full-width characters and upper-case letters."""
    return _clean(value).upper()


def organisation_code_check_char(body: str) -> str:
    """GB 11714 check character for the 8-character body of an organisation code.

    Digits count as their value and letters as A=10 … Z=35; check = 11 − (Σ value·weight mod 11),
    where 10 is written ``X`` and 11 is written ``0``.
    """
    if len(body) != 8 or not all(c.isascii() and (c.isdigit() or c.isupper()) for c in body):
        raise ValueError("need exactly 8 characters from 0-9 and A-Z")
    total = sum(int(c, 36) * w for c, w in zip(body, _ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def credit_code_check_char(first17: str) -> str:
    """GB 32100 (ISO 7064 MOD 31-3) check character for the first 17 characters."""
    if len(first17) != 17 or any(c not in _CREDIT_CODE_VALUES for c in first17):
        raise ValueError("need exactly 17 characters from the credit-code character set")
    total = sum(
        _CREDIT_CODE_VALUES[c] * w for c, w in zip(first17, _CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def validate_credit_code(value: str | None) -> CreditCode:
    """Check an 18-character 统一社会信用代码 and return its parts.

    Raises :class:`IdentityError` with a message for the worker when the code is wrong.
    """
    number = normalize_credit_code(value)
    if not number:
        raise IdentityError("请填写统一社会信用代码", "required")
    if len(number) != 18:
        raise IdentityError(f"统一社会信用代码应为18位，当前为{len(number)}位", "length")
    bad = sorted({c for c in number if c not in _CREDIT_CODE_VALUES})
    if bad:
        shown = "、".join(bad)
        raise IdentityError(
            f"统一社会信用代码含有不允许的字符：{shown}"
            "（只能是数字和大写字母，且不含字母I、O、Z、S、V）",
            "characters",
        )

    authority = CREDIT_CODE_AUTHORITIES.get(number[0])
    if authority is None:
        raise IdentityError(
            f"统一社会信用代码第1位（登记管理部门代码）“{number[0]}”无效", "authority"
        )
    authority_name, categories = authority
    category_name = categories.get(number[1])
    if category_name is None:
        raise IdentityError(
            f"统一社会信用代码第2位（机构类别代码）“{number[1]}”不是{authority_name}部门使用的类别",
            "category",
        )
    region_code = number[2:8]
    if not region_code.isdigit():
        raise IdentityError("统一社会信用代码第3至8位（行政区划码）应为6位数字", "region")

    if credit_code_check_char(number[:17]) != number[17]:
        raise IdentityError("统一社会信用代码校验位错误，请逐位核对（尤其是最后一位）", "check")
    organisation_code = number[8:17]
    if organisation_code_check_char(organisation_code[:8]) != organisation_code[8]:
        raise IdentityError(
            "统一社会信用代码中的组织机构代码（第9至17位）校验位错误，请核对", "organisation_check"
        )

    return CreditCode(
        number=number,
        authority_code=number[0],
        category_code=number[1],
        region_code=region_code,
        organisation_code=organisation_code,
        authority_name=authority_name,
        category_name=category_name,
    )


# --------------------------------------------------------------------------------------------
# 手机号码
# --------------------------------------------------------------------------------------------

_MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")
_MOBILE_SEPARATORS = re.compile(r"[\s\-]")


def validate_mobile(value: str | None) -> str:
    """Return a mainland mobile number as 11 plain digits, or raise :class:`IdentityError`.

    Accepts spaces and dashes, full-width digits and a leading ``+86``, ``0086`` or ``86``.
    """
    text = _MOBILE_SEPARATORS.sub("", _clean(value))
    if not text:
        raise IdentityError("请填写手机号码", "required")
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    if not _MOBILE_RE.match(text):
        raise IdentityError("手机号码格式不正确，应为11位且以1开头", "mobile")
    return text
