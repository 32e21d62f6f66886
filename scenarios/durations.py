"""Durations (`90s`, `15m`, `1h30m`, `2d`, `1w`) and rates (`4/7d`), held as minutes."""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

from pydantic import BeforeValidator

_UNIT_MINUTES = {"s": 1 / 60, "m": 1.0, "h": 60.0, "d": 1440.0, "w": 10080.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")
_WHOLE = re.compile(r"(?:\d+(?:\.\d+)?[smhdw])+")
MAX_MINUTES = 100 * 365 * 1440.0  # a century: anything longer is a slip of the keyboard


def parse_duration(value: Any) -> float:
    """Minutes in a duration: a string such as `1h30m`, or a bare number of minutes."""
    if isinstance(value, bool):
        raise ValueError(f"expected a duration such as '15m' or '1h30m', found {value!r}")
    if isinstance(value, int | float):
        minutes = float(value)
    elif isinstance(value, str):
        text = value.strip().replace(" ", "")
        if text.startswith("-"):
            raise ValueError(f"a duration cannot be negative, found {value!r}")
        if not _WHOLE.fullmatch(text):
            raise ValueError(
                f"expected a duration such as '90s', '15m', '2h', '1d' or '1h30m', found {value!r}"
            )
        minutes = sum(float(n) * _UNIT_MINUTES[u] for n, u in _PART.findall(text))
    else:
        raise ValueError(f"expected a duration such as '15m' or '1h30m', found {value!r}")
    if not math.isfinite(minutes):
        raise ValueError(f"expected a finite duration such as '15m', found {value!r}")
    if minutes < 0:
        raise ValueError(f"a duration cannot be negative, found {value!r}")
    if minutes > MAX_MINUTES:
        raise ValueError(f"expected a duration of at most 100 years, found {value!r}")
    return minutes


def format_duration(minutes: float) -> str:
    """The shortest readable form of a duration, e.g. `1h30m`; inverse of parse_duration."""
    seconds = round(minutes * 60)
    if seconds == 0:
        return "0m"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


def parse_rate(value: Any) -> float:
    """Events per minute in a rate written `N/DURATION` (`4/7d`, `0.5/d`, `12/w`)."""
    if isinstance(value, str) and "/" in value:
        count_text, _, per_text = value.partition("/")
        try:
            count = float(count_text)
        except ValueError:
            raise ValueError(f"expected a rate such as '4/7d', found {value!r}") from None
        per_text = per_text.strip()
        per = parse_duration(per_text if per_text[:1].isdigit() else f"1{per_text}")
        if not math.isfinite(count) or count < 0 or per <= 0:
            raise ValueError(f"a rate needs a finite count >= 0 and a positive period, found "
                             f"{value!r}")
        return count / per
    raise ValueError(f"expected a rate such as '4/7d' or '2/d', found {value!r}")


Duration = Annotated[float, BeforeValidator(parse_duration)]
Rate = Annotated[float, BeforeValidator(parse_rate)]
