"""How dates read in a message."""


def day_text(day) -> str:
    """2026年10月8日 — how dates read in a message."""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""
