"""Charts as matplotlib figures, written out as inline SVG text: nothing to fetch when a report
is opened. matplotlib is imported by the functions that draw, so the CLI starts without it.

Colours come from the Okabe-Ito palette, readable by colour-blind readers; lines also differ by
dash and marker, bars by hatching, and a missed target is marked and labelled, never only
coloured, so charts survive a black-and-white printer. Legends sit outside the plotting area.
User text (names, types) is drawn literally: `$` does not start mathematics."""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from drillsim.scenarios.durations import DAY, HOUR, MINUTE, SECOND, format_duration

if TYPE_CHECKING:
    from matplotlib.axis import Axis
    from matplotlib.figure import Figure

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
DASHES = ("-", "--", "-.", ":")
MARKERS = ("o", "s", "^", "D", "v")
HATCHES = ("", "//", "..", "xx", "\\\\", "--", "++", "oo")
STYLE: Any = {"font.size": 10, "axes.titlesize": 11, "axes.labelsize": 10, "svg.fonttype": "none",
              "font.family": "sans-serif", "svg.hashsalt": "drillsim", "axes.grid": True,
              "grid.alpha": 0.3, "text.parse_math": False, "legend.frameon": False}
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
FLOOR = 10 * SECOND  # log axes start here; shorter durations are drawn at it
NICE = (SECOND, 5 * SECOND, 10 * SECOND, 30 * SECOND, MINUTE, 2 * MINUTE, 5 * MINUTE,
        10 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 4 * HOUR, 6 * HOUR, 12 * HOUR, DAY,
        2 * DAY, 4 * DAY, 7 * DAY, 14 * DAY, 28 * DAY, 56 * DAY)
NAMES = {"ttd": "Time to detect", "tta": "Time to acknowledge", "ttm": "Time to mitigate",
         "ttr": "Time to resolve"}


def _pyplot() -> Any:
    """pyplot on the Agg backend, imported on first use."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


class Drawn:
    """A chart as SVG, drawn only when a report shows it: HTML reports do, Markdown ones do
    not, so those neither import matplotlib nor spend time drawing."""

    def __init__(self, draw: Callable[[], Figure]) -> None:
        self._draw = draw
        self._text: str | None = None

    def __html__(self) -> str:
        if self._text is None:
            self._text = svg(self._draw())
        return self._text

    __str__ = __html__


def svg(fig: Figure) -> str:
    """The figure as SVG text, without prolog or doctype, ready to inline in HTML."""
    buffer = io.StringIO()
    with _pyplot().rc_context(STYLE):
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    _pyplot().close(fig)
    return re.sub(r"^.*?(<svg)", r"\1", buffer.getvalue(), count=1, flags=re.S)


def duration_ticks(axis: Axis, lo: float, hi: float, log: bool = False, floor: bool = False) -> None:
    """Ticks at round durations between lo and hi (minutes), labelled `30s`, `5m`, `4h`, `2d`;
    `floor` labels the first tick `≤…` because shorter values were drawn there."""
    if log:
        ticks = [t for t in NICE if lo <= t <= hi]
        keep = max(1, math.ceil(len(ticks) / 7))
        ticks = ticks[::keep]
    else:
        step = next((s for s in NICE if (hi - lo) / s <= 8), NICE[-1])
        ticks = list(np.arange(math.ceil(lo / step) * step, hi + step / 2, step))
    labels = [format_duration(t) for t in ticks]
    if floor and ticks and ticks[0] == lo:
        labels[0] = "≤" + labels[0]
    axis.set_ticks(ticks, labels)
    from matplotlib.ticker import NullLocator

    axis.set_minor_locator(NullLocator())


def distributions(rows: Mapping[str, Mapping[str, Mapping[str, Sequence[float]]]]) -> Figure:
    """Empirical CDFs on a logarithmic time axis: one column per metric, one row per entry of
    `rows` (title -> line label -> metric -> minutes), one line per label, p50/p90 marked."""
    from matplotlib.lines import Line2D
    from matplotlib.ticker import PercentFormatter

    plt = _pyplot()
    with plt.rc_context(STYLE):
        metrics = list(next(iter(next(iter(rows.values())).values())))
        values = [v for lines in rows.values() for m in lines.values() for x in m.values()
                  for v in x if v == v]
        hi = max(max(values, default=HOUR) * 1.5, 2 * FLOOR)
        fig, axes = plt.subplots(len(rows), len(metrics), squeeze=False, sharex=True,
                                 sharey=True, layout="constrained",
                                 figsize=(2.6 * len(metrics) + 0.6, 2.4 * len(rows) + 1.2))
        handles: dict[str, Any] = {}
        for r, (row, lines) in enumerate(rows.items()):
            for ax, metric in zip(axes[r], metrics, strict=True):
                for i, (label, by_metric) in enumerate(lines.items()):
                    x = np.sort(np.asarray(by_metric[metric], dtype=float))
                    x = np.maximum(x[~np.isnan(x)], FLOOR)
                    if len(x) == 0:
                        continue
                    y = np.arange(1, len(x) + 1) / len(x)
                    style = {"color": PALETTE[i % len(PALETTE)]}
                    (line,) = ax.step(np.r_[FLOOR, x], np.r_[0, y], where="post",
                                      linestyle=DASHES[i % len(DASHES)], label=label, **style)
                    handles.setdefault(label, line)
                    for q, marker in ((50, "o"), (90, "s")):
                        ax.plot([np.percentile(x, q)], [q / 100], marker=marker, linestyle="none",
                                markersize=5, **style)
                ax.set_xscale("log")
                ax.set_xlim(FLOOR, hi)
                duration_ticks(ax.xaxis, FLOOR, hi, log=True, floor=True)
                ax.set_ylim(0, 1.02)
                ax.yaxis.set_major_formatter(PercentFormatter(1.0))
                ax.set_title(f"{NAMES.get(metric, metric)}" + (f"\n{row}" if row else ""))
            axes[r][0].set_ylabel("share of incidents")
        for ax in axes[-1]:
            ax.set_xlabel("time (log scale)")
        markers = [Line2D([], [], color="#555", marker=m, linestyle="none", label=t)
                   for m, t in (("o", "p50"), ("s", "p90"))]
        fig.legend(handles=[*handles.values(), *markers], loc="outside lower center",
                   ncols=min(len(handles) + 2, 6))
        return fig


# how each deadline outcome is drawn: by marker shape and its word, not only by colour
OUTCOME_MARKS = {"met": ("o", PALETTE[2]), "late": ("s", PALETTE[1]), "missed": ("X", PALETTE[3]),
                 "unstaffed": ("D", PALETTE[3])}


def timeline(title: str, spans: Sequence[tuple[str, float, float]],
             marks: Sequence[tuple[str, float, str]], xlabel: str) -> Figure:
    """A Gantt chart of one incident: spans (label, start, end in minutes since impact started),
    each bar labelled with its length, and deadlines (label, due, outcome: met, late, missed or
    unstaffed) marked at their due time, the outcome in the row's label and the marker's shape."""
    plt = _pyplot()
    with plt.rc_context(STYLE):
        rows = [label for label, _, _ in spans] + [f"{label} ({status})" for label, _, status in marks]
        ends = [e for _, _, e in spans] + [d for _, d, _ in marks]
        hi = max(ends, default=1.0) * 1.12 + 1
        fig, ax = plt.subplots(figsize=(9, 0.42 * len(rows) + 1.6), layout="constrained")
        for i, (_, start, end) in enumerate(spans):
            width = max(end - start, hi / 400)
            ax.barh(i, width, left=start, color=PALETTE[i % 3], hatch=HATCHES[i % len(HATCHES)],
                    edgecolor="black", linewidth=0.5)
            ax.annotate(format_duration(end - start), (start + width, i), xytext=(4, 0),
                        textcoords="offset points", va="center", fontsize=8)
        shown = set()
        for j, (_, due, status) in enumerate(marks, start=len(spans)):
            label = f"deadline {status}"
            marker, colour = OUTCOME_MARKS[status]
            ax.plot([due], [j], marker=marker, markersize=8, linestyle="none", color=colour,
                    label=None if label in shown else label)
            shown.add(label)
        ax.set_yticks(range(len(rows)), rows)
        ax.invert_yaxis()
        ax.set_xlim(0, hi)
        duration_ticks(ax.xaxis, 0, hi)
        ax.set_xlabel(xlabel)
        ax.set_title(title)
        if shown:
            fig.legend(loc="outside lower center", ncols=len(shown))
        return fig


def heatmap(pages_by_hour: np.ndarray, replications: int) -> Figure:
    """Pages by hour of the week (7 x 24, mean per replication) with each cell's count written in
    it; hours are each paged responder's own local hours."""
    from matplotlib.colors import PowerNorm

    plt = _pyplot()
    with plt.rc_context(STYLE | {"axes.grid": False}):
        fig, ax = plt.subplots(figsize=(11, 3.6), layout="constrained")
        top = float(pages_by_hour.max()) or 1.0
        image = ax.imshow(pages_by_hour, aspect="auto", cmap="Greys", interpolation="nearest",
                          norm=PowerNorm(0.5, vmin=0, vmax=top))  # quiet hours stay visible
        whole = np.allclose(pages_by_hour, np.round(pages_by_hour))
        for (day, hour), value in np.ndenumerate(pages_by_hour):
            if value > 0:
                ax.text(hour, day, f"{value:.0f}" if whole else f"{value:.1f}", ha="center",
                        va="center", fontsize=7, color="white" if value > top / 4 else "black")
        ax.set_yticks(range(7), DAYS)
        ax.set_xticks(range(24), [f"{h:02d}" for h in range(24)])
        ax.set_xlabel("hour of day, in each paged responder's own time zone")
        per = "pages" if replications == 1 else f"pages per replication (mean of {replications})"
        ax.set_title(f"On-call load: {per} by hour of week")
        fig.colorbar(image, ax=ax, label=per, pad=0.01)
        return fig


def sla_bars(sla: Mapping[str, Mapping[str, float]]) -> Figure:
    """Share of incidents meeting each target, grouped by severity in the order given, each bar
    labelled with its share (so 0% differs from a target not set)."""
    plt = _pyplot()
    with plt.rc_context(STYLE):
        severities = list(sla)
        targets = [t for t in ("acknowledge", "first_response", "mitigate", "resolve")
                   if any(t in shares for shares in sla.values())]
        fig, ax = plt.subplots(figsize=(8, 3.4), layout="constrained")
        width = 0.8 / max(len(targets), 1)
        for i, target in enumerate(targets):
            xs = [k + i * width for k in range(len(severities))]
            ys = [100 * sla[s].get(target, np.nan) for s in severities]
            bars = ax.bar(xs, ys, width, label=target.replace("_", " "), color=PALETTE[i % 7],
                          hatch=HATCHES[i % len(HATCHES)], edgecolor="black", linewidth=0.5)
            ax.bar_label(bars, ["" if y != y else f"{y:.0f}%" for y in ys], fontsize=7, padding=1)
        ax.set_xticks([k + width * (len(targets) - 1) / 2 for k in range(len(severities))],
                      severities)
        ax.set_ylim(0, 108)  # room for the labels of full bars
        ax.set_yticks(range(0, 101, 20))
        ax.set_ylabel("incidents meeting target (%)")
        ax.set_xlabel("severity, most severe first")
        ax.set_title("SLA attainment by severity")
        fig.legend(loc="outside lower center", ncols=len(targets))
        return fig


def period_counts(periods: Sequence[str], counts: Mapping[str, Sequence[int]],
                  partial: Sequence[bool]) -> Figure:
    """Incidents per period stacked by severity (most severe at the bottom); a partial period is
    labelled `partial` above its bar."""
    plt = _pyplot()
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(max(6, 0.7 * len(periods) + 3), 3.4), layout="constrained")
        bottom = np.zeros(len(periods))
        for i, (severity, values) in enumerate(counts.items()):
            ax.bar(range(len(periods)), values, 0.7, bottom=bottom, label=severity,
                   color=PALETTE[i % len(PALETTE)], hatch=HATCHES[i % len(HATCHES)],
                   edgecolor="black", linewidth=0.5)
            bottom += np.asarray(values, dtype=float)
        for k, is_partial in enumerate(partial):
            if is_partial:
                ax.annotate("partial", (k, bottom[k]), xytext=(0, 3), textcoords="offset points",
                            ha="center", fontsize=8, style="italic")
        ax.set_xticks(range(len(periods)), periods)
        ax.set_ylim(0, max(bottom.max(), 1) * 1.15)
        ax.set_ylabel("incidents")
        ax.set_title("Incidents per period by severity")
        fig.legend(loc="outside lower center", ncols=min(len(counts), 6))
        return fig


def period_trend(periods: Sequence[str], lines: Mapping[str, Sequence[float | None]],
                 target: float, missed: Sequence[bool], title: str, unit: str) -> Figure:
    """One or more values per period against a target line; a period that missed the target is
    marked with a cross and the word `missed`. `unit` is `duration` (minutes) or `percent`."""
    plt = _pyplot()
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(max(6, 0.7 * len(periods) + 3), 3.2), layout="constrained")
        xs = range(len(periods))
        for i, (label, values) in enumerate(lines.items()):
            ys = [np.nan if v is None else v for v in values]
            ax.plot(xs, ys, color=PALETTE[i], linestyle=DASHES[i], marker=MARKERS[i], label=label)
        first = [np.nan if v is None else v for v in next(iter(lines.values()))]
        for k, miss in enumerate(missed):
            if miss and first[k] == first[k]:
                ax.plot([k], [first[k]], marker="X", markersize=11, color=PALETTE[3],
                        linestyle="none")
                ax.annotate("missed", (k, first[k]), xytext=(0, 8), textcoords="offset points",
                            ha="center", fontsize=8, fontweight="bold")
        shown = format_duration(target) if unit == "duration" else f"{target:g}%"
        ax.axhline(target, color="black", linestyle=":", linewidth=1.2, label=f"target {shown}")
        ax.set_xticks(list(xs), periods)
        values = [float(v) for vs in lines.values() for v in vs if v is not None] + [target]
        lo, hi = min(values), max(values)
        pad = (hi - lo) * 0.2 or abs(hi) * 0.01 or 1.0
        if unit == "duration":
            ax.set_ylim(0, hi + pad)
            duration_ticks(ax.yaxis, 0, hi + pad)
        else:
            ax.set_ylim(lo - pad, min(hi + pad, 100 + pad / 4))
            ax.yaxis.set_major_formatter(lambda v, _: f"{v:.10g}%")
        ax.set_title(title)
        fig.legend(loc="outside lower center", ncols=len(lines) + 1)
        return fig



def differences(rows: Mapping[str, Mapping[str, tuple[float | None, tuple[float, float] | None]]]
                ) -> Figure:
    """Paired differences from a baseline: one panel per measure (label -> variant ->
    (difference, 95% interval) in minutes), a point and its interval per variant, zero marked."""
    plt = _pyplot()
    with plt.rc_context(STYLE):
        rows = {label: cells for label, cells in rows.items() if cells} or {"(no variants)": {}}
        variants = list(dict.fromkeys(v for cells in rows.values() for v in cells))
        fig, axes = plt.subplots(len(rows), 1, squeeze=False, layout="constrained",
                                 figsize=(8, 0.5 + (0.35 * max(len(variants), 1) + 0.6) * len(rows)))
        for ax, (label, cells) in zip(axes[:, 0], rows.items(), strict=True):
            ends = [0.0]
            for i, variant in enumerate(variants):
                mean, ci = cells.get(variant, (None, None))
                if mean is None or mean != mean:
                    continue
                low, high = ci if ci is not None else (mean, mean)
                ends += [low, high]
                ax.errorbar([mean], [i], xerr=[[mean - low], [high - mean]], fmt=MARKERS[i % 5],
                            color=PALETTE[i % len(PALETTE)], capsize=3)
            ax.axvline(0, color="#555", linewidth=1)
            lo, hi = min(ends), max(ends)
            pad = max((hi - lo) * 0.1, 0.5)
            ax.set_xlim(lo - pad, hi + pad)
            duration_ticks(ax.xaxis, lo - pad, hi + pad)
            ax.set_yticks(range(len(variants)), variants)
            ax.set_ylim(-0.6, len(variants) - 0.4)
            ax.invert_yaxis()
            ax.set_title(label, loc="left")
        return fig
