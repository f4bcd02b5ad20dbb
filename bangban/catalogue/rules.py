"""Checks on a service guide's fields, shared by the model, the services and the Excel import.

Plain Python so the Excel import can report every problem of a row, in Chinese, without
building model instances first.
"""

CHANNEL_CODES = ("window", "online", "kiosk", "mobile", "home_visit")


def guide_problems(
    *,
    statutory_limit_days: int | None,
    promised_limit_days: int | None,
    is_immediate: bool,
    channels: list[str] | None,
    offers_assist: bool,
    offers_proxy: bool,
) -> list[tuple[str, str]]:
    """Every problem as (field name, message in Chinese); empty when the guide is sound."""
    problems: list[tuple[str, str]] = []
    if statutory_limit_days is not None and statutory_limit_days < 0:
        problems.append(("statutory_limit_days", "法定时限不能为负数"))
    if promised_limit_days is not None and promised_limit_days < 0:
        problems.append(("promised_limit_days", "承诺时限不能为负数"))
    if (
        statutory_limit_days is not None
        and promised_limit_days is not None
        and promised_limit_days > statutory_limit_days
    ):
        problems.append(
            (
                "promised_limit_days",
                f"承诺时限（{promised_limit_days}个工作日）不能超过法定时限（{statutory_limit_days}个工作日）",
            )
        )
    if promised_limit_days is not None:
        if is_immediate and promised_limit_days != 0:
            problems.append(("promised_limit_days", "即办件当场办结，承诺时限应为0"))
        if not is_immediate and promised_limit_days == 0:
            problems.append(
                ("promised_limit_days", "承诺件的承诺时限至少为1个工作日；当场办结的请标为即办件")
            )
    if not channels:
        problems.append(("channels", "至少选择一个办理渠道"))
    else:
        unknown = [c for c in channels if c not in CHANNEL_CODES]
        if unknown:
            problems.append(("channels", "未知的办理渠道：" + "、".join(map(str, unknown))))
        if len(set(channels)) != len(channels):
            problems.append(("channels", "办理渠道重复"))
    if not offers_assist and not offers_proxy:
        problems.append(("offers_assist", "帮办、代办至少提供一种"))
    return problems
