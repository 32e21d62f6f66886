"""What people read besides durations: instants on the organisation's wall clock with their UTC
offset, and money in the organisation's currency."""

from __future__ import annotations

import datetime as dt
from typing import Any

from drillsim.sim.clock import zone

ABSENT = "–"


def format_instant(value: dt.datetime | None, timezone: str) -> str:
    """An aware instant as local wall-clock time with its offset, e.g. `2026-03-29 02:30 +01:00`."""
    if value is None or value != value:  # None or NaT
        return ABSENT
    if value.tzinfo is None:
        raise ValueError(f"an instant needs its UTC offset to be shown in {timezone}: {value}")
    local = value.astimezone(zone(timezone))
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} {offset[:3]}:{offset[3:]}"


def format_money(amount: Any, currency: str) -> str:
    """A whole amount in `currency` (ISO 4217) with the symbol English readers know (`$1,235`,
    `€1,235`, `CHF 1,235`, `¥1,235`); the code where there is no symbol."""
    if amount is None or amount != amount:
        return ABSENT
    from babel.numbers import format_currency, get_currency_symbol

    symbol = get_currency_symbol(currency, locale="en")
    pattern = "¤\u00a0#,##0" if symbol[-1:].isalpha() else "¤#,##0"
    text: str = format_currency(amount, currency, format=pattern, locale="en",
                                currency_digits=False)
    return text.replace("-", "\u2212")
