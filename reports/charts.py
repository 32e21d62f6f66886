"""Charts as inline SVG text (matplotlib, Agg): nothing to fetch when the report is opened.

Colours come from the Okabe-Ito palette, readable by colour-blind readers; lines also differ
by dash and marker so charts survive a black-and-white printer."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442")
DASHES = ("-", "--", "-.", ":")
MARKERS = ("o", "s", "^", "D", "v")
HATCHES = ("", "//", "..", "xx", "\\\\")
STYLE: Any = {"font.size": 10, "axes.titlesize": 12, "axes.labelsize": 10, "svg.fonttype": "none",
         "font.family": "sans-serif", "svg.hashsalt": "drillsim", "axes.grid": True,
         "grid.alpha": 0.3}
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buffer.getvalue()
    return re.sub(r"^.*?(<svg)", r"\1", text, count=1, flags=re.S)  # drop prolog and doctype


def distributions(series: Mapping[str, Mapping[str, Sequence[float]]], unit: str = "min") -> str:
    """Empirical CDFs of each metric (one panel each), one line per variant, p50/p90 marked."""
    with plt.rc_context(STYLE):
        metrics = list(next(iter(series.values())))
        fig, axes = plt.subplots(1, len(metrics), figsize=(3.2 * len(metrics), 3.0),
                                 squeeze=False)
        for ax, metric in zip(axes[0], metrics, strict=True):
            for i, (variant, values) in enumerate(series.items()):
                x = np.sort(np.asarray(values[metric], dtype=float))
                x = x[~np.isnan(x)]
                if len(x) == 0:
                    continue
                y = np.arange(1, len(x) + 1) / len(x)
                color = PALETTE[i % len(PALETTE)]
                ax.step(x, y, where="post", color=color, linestyle=DASHES[i % len(DASHES)],
                        label=variant)
                for q, marker in ((50, "o"), (90, "s")):
                    ax.plot([np.percentile(x, q)], [q / 100], marker=marker, color=color,
                            linestyle="none")
            ax.set_title(metric.upper())
            ax.set_xlabel(f"minutes ({unit})" if unit != "min" else "minutes")
            ax.set_ylim(0, 1.02)
        axes[0][0].set_ylabel("share of incidents (circle p50, square p90)")
        if len(series) > 1:
            axes[0][-1].legend(fontsize=9)
        fig.suptitle("How long incidents took: cumulative distribution", fontsize=12, y=1.04)
        return _svg(fig)


def timeline(title: str, spans: Sequence[tuple[str, float, float]],
             marks: Sequence[tuple[str, float, bool]]) -> str:
    """A Gantt chart of one incident: spans (label, start, end) and deadlines (label, due, met)."""
    with plt.rc_context(STYLE):
        rows = [label for label, _, _ in spans] + [label for label, _, _ in marks]
        fig, ax = plt.subplots(figsize=(8, 0.35 * len(rows) + 1.2))
        for i, (_, start, end) in enumerate(spans):
            ax.barh(i, max(end - start, 0.5), left=start, color=PALETTE[i % 3],
                    hatch=HATCHES[i % len(HATCHES)], edgecolor="black", linewidth=0.5)
        for j, (_, due, met) in enumerate(marks, start=len(spans)):
            ax.plot([due], [j], marker="o" if met else "X", markersize=8,
                    color=PALETTE[2] if met else PALETTE[3], linestyle="none")
        ax.set_yticks(range(len(rows)), rows)
        ax.invert_yaxis()
        ax.set_xlabel("minutes since impact started (deadlines: circle met, cross missed)")
        ax.set_title(title)
        return _svg(fig)


def heatmap(pages_by_hour: np.ndarray) -> str:
    """Pages by hour of the week (7 x 24, mean per replication)."""
    with plt.rc_context(STYLE | {"axes.grid": False}):
        fig, ax = plt.subplots(figsize=(8, 2.8))
        image = ax.imshow(pages_by_hour, aspect="auto", cmap="Greys", interpolation="nearest")
        ax.set_yticks(range(7), DAYS)
        ax.set_xticks(range(0, 24, 3), [f"{h:02d}:00" for h in range(0, 24, 3)])
        ax.set_xlabel("hour of day (scenario time zone)")
        ax.set_title("On-call load: pages by hour of week")
        fig.colorbar(image, ax=ax, label="pages per replication")
        return _svg(fig)


def sla_bars(sla: Mapping[str, Mapping[str, float]]) -> str:
    """Share of incidents meeting each target, grouped by severity."""
    with plt.rc_context(STYLE):
        severities = sorted(sla)
        targets = sorted({t for shares in sla.values() for t in shares})
        fig, ax = plt.subplots(figsize=(7, 3))
        width = 0.8 / max(len(targets), 1)
        for i, target in enumerate(targets):
            xs = [k + i * width for k in range(len(severities))]
            ys = [100 * sla[s].get(target, np.nan) for s in severities]
            ax.bar(xs, ys, width, label=target.replace("_", " "), color=PALETTE[i % 7],
                   hatch=HATCHES[i % len(HATCHES)], edgecolor="black", linewidth=0.5)
        ax.set_xticks([k + width * (len(targets) - 1) / 2 for k in range(len(severities))],
                      severities)
        ax.set_ylim(0, 105)
        ax.set_ylabel("incidents meeting target (%)")
        ax.set_xlabel("severity")
        ax.set_title("SLA attainment by severity")
        ax.legend(fontsize=9, ncols=2)
        return _svg(fig)
