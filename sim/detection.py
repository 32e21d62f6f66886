"""Detection maths: when a threshold alert on an incident's symptoms first notifies."""

from __future__ import annotations

import math

import numpy as np

from drillsim.scenarios.policy import Alert, Symptom


def _windowed(symptom: Symptom, t: float, window: float) -> float:
    """The symptom's metric at t, or its mean over the trailing `window` minutes."""
    def area(x: float) -> float:  # integral of the metric from 0 to x (baseline before 0)
        b, v, ramp = symptom.baseline, symptom.value, symptom.ramp
        if x <= 0:
            return b * x
        if ramp <= 0:
            return v * x
        if x <= ramp:
            return b * x + (v - b) * x * x / (2 * ramp)
        return b * ramp + (v - b) * ramp / 2 + v * (x - ramp)

    if window <= 0:
        if t <= 0:
            return symptom.baseline
        return symptom.value if t >= symptom.ramp else symptom.baseline + (
            symptom.value - symptom.baseline) * t / symptom.ramp
    return (area(t) - area(t - window)) / window


def alert_delay(alert: Alert, symptom: Symptom | None, rng: np.random.Generator) -> float:
    """Minutes from impact start until a threshold alert notifies; infinite if never crossed.
    Evaluation ticks fall at a random phase relative to the onset; the condition must then hold
    for `for` minutes of ticks; `delay` is the notification's own latency."""
    if symptom is None:
        return math.inf
    threshold = alert.above if alert.above is not None else alert.below
    assert threshold is not None
    sign = 1.0 if alert.above is not None else -1.0
    window = alert.window or 0.0

    def beyond(t: float) -> bool:
        return sign * (_windowed(symptom, t, window) - threshold) > 0

    horizon = symptom.ramp + window + 1.0
    if not beyond(horizon):
        return math.inf
    lo, hi = 0.0, horizon
    if beyond(0.0):
        hi = 0.0
    while hi - lo > 1e-6:  # the metric (and its trailing mean) moves monotonically
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if beyond(mid) else (mid, hi)
    interval = alert.evaluation_interval
    first_tick = hi + rng.uniform(0.0, interval)
    fires = first_tick + math.ceil(alert.for_ / interval - 1e-9) * interval
    return fires + alert.delay.sample(rng)
