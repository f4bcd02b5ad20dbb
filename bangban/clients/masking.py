"""Masked display of personal data (脱敏显示).

Screens, lists, printed slips and logs show personal data masked; the full value is shown only
through a deliberate, recorded "reveal" action elsewhere. All functions here are pure, accept
``None`` or ``""`` (returning ``""``) and never raise on odd input: a value that does not look
like what the function expects is still masked, never shown in full.

=====================  ==========================  =======================================
function               example                     rule
=====================  ==========================  =======================================
mask_resident_id       110105********002X          first 6 (region) and last 4 kept
mask_mobile            138****5678                 first 3 and last 4 kept
mask_credit_code       913501********0Y43          first 6 and last 4 kept
mask_name              张* / 王*明 / 欧**娜        first character kept; names of 3 or
                                                   more characters also keep the last one
mask_address           浙江省杭州市西湖区****      kept up to the first 区/县/旗/镇/乡/街道,
                                                   otherwise only the first few characters
=====================  ==========================  =======================================
"""

from __future__ import annotations

import re
import unicodedata

from .identity import IdentityError, normalize_credit_code, normalize_resident_id, validate_mobile

__all__ = [
    "mask_address",
    "mask_credit_code",
    "mask_mobile",
    "mask_name",
    "mask_resident_id",
]

MASK = "*"
ADDRESS_MASK = "****"


def _mask_middle(text: str, keep_start: int, keep_end: int) -> str:
    """Keep ``keep_start`` leading and ``keep_end`` trailing characters, star the rest.

    Values too short to leave anything hidden are starred completely.
    """
    if not text:
        return ""
    if len(text) <= keep_start + keep_end:
        return MASK * len(text)
    hidden = len(text) - keep_start - keep_end
    return text[:keep_start] + MASK * hidden + text[len(text) - keep_end :]


def mask_resident_id(value: str | None) -> str:
    """``"11010519491231002X"`` → ``"110105********002X"``."""
    return _mask_middle(normalize_resident_id(value), 6, 4)


def mask_mobile(value: str | None) -> str:
    """``"13812345678"`` (also ``"+86 138-1234-5678"``) → ``"138****5678"``."""
    if not value:
        return ""
    try:
        digits = validate_mobile(value)
    except IdentityError:
        # Not a mobile number (a landline, a typo): mask it the same way, without the separators.
        digits = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", value))
    return _mask_middle(digits, 3, 4)


def mask_credit_code(value: str | None) -> str:
    """``"91350100M000100Y43"`` → ``"913501********0Y43"``."""
    return _mask_middle(normalize_credit_code(value), 6, 4)


def mask_name(value: str | None) -> str:
    """``"张三"`` → ``"张*"``, ``"王小明"`` → ``"王*明"``, ``"欧阳娜娜"`` → ``"欧**娜"``.

    The first character is kept; names of three or more characters also keep the last one.
    A one-character value is starred completely.
    """
    name = (value or "").strip()
    if len(name) <= 1:
        return MASK * len(name)
    if len(name) == 2:
        return name[0] + MASK
    return name[0] + MASK * (len(name) - 2) + name[-1]


# A county-level (区/县/旗) or town-level (镇/乡/街道) name ends here. "区" preceded by 自治
# (自治区, a province) or 行政 (特别行政区) is not a district, nor are 小区/社区/校区/景区/厂区
# (a housing estate, a community, a campus …), which would give away too much.
_ADDRESS_LEVEL_END = re.compile(r"街道|(?<!自治)(?<!行政)(?<![小社校景厂])区|县|旗|镇|乡")
# Beyond this many characters the "district" found is probably not the administrative one.
_ADDRESS_MAX_KEEP = 24
_ADDRESS_FALLBACK_KEEP = 6
_CHINESE_RUN = re.compile(r"[\u4e00-\u9fff]+")


def mask_address(value: str | None) -> str:
    """``"浙江省杭州市西湖区文三路90号"`` → ``"浙江省杭州市西湖区****"``.

    Keeps the address up to and including the first district, county, banner, town, township
    or sub-district name (区/县/旗/镇/乡/街道) and replaces the rest with ``"****"``. When there
    is no such name before the first digit or punctuation mark (an address written house number
    first), keeps only the leading Chinese characters, at most 6 and at most half the address.
    The result always ends in ``"****"``, so its length says nothing about the address.
    """
    address = "".join(unicodedata.normalize("NFKC", value or "").split())
    if not address:
        return ""
    # Administrative names are Chinese characters only; a digit or punctuation before the
    # first 区/县/… means the address starts with street or building details.
    leading_names = _CHINESE_RUN.match(address)
    leading = leading_names.end() if leading_names else 0
    match = _ADDRESS_LEVEL_END.search(address)
    if match and match.end() <= min(leading, _ADDRESS_MAX_KEEP):
        keep = match.end()
    else:
        keep = min(_ADDRESS_FALLBACK_KEEP, len(address) // 2, leading)
    return address[:keep] + ADDRESS_MASK


_DIGIT_RUN = re.compile(r"\d[\d \-]{5,}\d")


def _masked_digits(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group())
    if len(digits) < 7:
        return match.group()
    return digits[:3] + "****" + digits[-4:] if len(digits) >= 11 else "*" * len(digits)


def mask_numbers(text: str) -> str:
    """``text`` with every run of 7 or more digits masked (a mobile as 138****5678): a
    number typed into a free-text reason is neither stored nor shown in full."""
    return _DIGIT_RUN.sub(_masked_digits, text or "")
