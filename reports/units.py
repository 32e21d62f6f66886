"""What people read besides durations: instants on the organisation's wall clock with their UTC
offset, money in the organisation's currency, and shares with their n and interval."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Share:
    """`met` of `n` met a target, with the 95% Wilson interval of the share."""

    met: int
    n: int
    low: float
    high: float

    @property
    def value(self) -> float:
        return self.met / self.n


def share_of(met: int, n: int) -> Share | None:
    """The share `met`/`n` with its Wilson interval (trials taken as independent); None for n = 0."""
    if n == 0:
        return None
    from scipy.stats import binomtest

    ci = binomtest(met, n).proportion_ci(confidence_level=0.95, method="wilson")
    return Share(met, n, float(ci.low), float(ci.high))


def format_share(value: Share | None) -> str:
    """`92% (n=236, 88–95%)`: the share, its n and its interval, rounded outwards so it never
    looks narrower than it is (no `100% (n=3, 100–100%)`)."""
    if value is None:
        return ABSENT
    low = math.floor(round(100 * value.low, 6))
    high = math.ceil(round(100 * value.high, 6))
    return f"{value.value:.0%} (n={value.n}, {low}\u2013{high}%)"
