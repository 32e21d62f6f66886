"""Durations (`90s`, `15m`, `1h30m`, `2d`, `1w`) and rates (`4/7d`), held as minutes, and the one
formatter that shows a duration to people everywhere (terminal, reports, charts)."""

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


SECOND, MINUTE, HOUR, DAY = 1 / 60, 1.0, 60.0, 1440.0
MINUS = "\u2212"
_SHOWN = tuple((unit, round(size * 60)) for unit, size in
               (("d", DAY), ("h", HOUR), ("m", MINUTE), ("s", SECOND)))  # unit, its seconds


def resolution_for(minutes: float) -> float:
    """The smallest unit worth showing for a duration this long: seconds below ten minutes,
    minutes below a day, hours beyond."""
    size = abs(minutes)
    return SECOND if size < 10 else MINUTE if size < DAY else HOUR


def format_duration(minutes: float | None, resolution: float | None = None,
                    signed: bool = False) -> str:
    """A duration for people, e.g. `45s`, `4m 30s`, `1h`, `1h 05m`, `2d 03h`, rounded to
    `resolution` minutes (by default `resolution_for`); negative with a minus sign (and positive
    with a plus when `signed`), absent (None or NaN) as an en dash. Without a sign it is what
    parse_duration reads."""
    if minutes is None or minutes != minutes:
        return "\u2013"
    step = resolution if resolution is not None else resolution_for(minutes)
    seconds = round(round(abs(minutes) / step) * step * 60)
    parts: list[str] = []
    for unit, size in _SHOWN:
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count:02d}{unit}" if parts else f"{count}{unit}")
    if not parts:
        return "0s" if step < MINUTE else "0m"
    return (MINUS if minutes < 0 else "+" if signed else "") + " ".join(parts)


def format_span(low: float | None, high: float | None, signed: bool = False) -> str:
    """Two durations as `low – high`, each as precise as it must be for the two to differ
    (a confidence interval 1.6 to 2.4 minutes reads `1m 36s – 2m 24s`, not `2m – 2m`)."""
    # a zero end (an interval clipped at zero) says nothing about the precision needed
    present = [x for x in (low, high) if x is not None and x == x and x != 0]
    step = min(map(resolution_for, present), default=SECOND)
    while True:
        a, b = format_duration(low, step, signed), format_duration(high, step, signed)
        if a != b or low == high or step <= SECOND:
            return f"{a} \u2013 {b}"
        step = MINUTE if step > MINUTE else SECOND


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
