"""The results bar chart of a budget cycle as PNG bytes (matplotlib Agg, Korean font).

Drawn for a phone: 1080 px wide, one bar per project in ranking order, funded
bars in colour, vote count and cost written on each bar. The font is the
NanumGothic that koreanize-matplotlib ships (registered by path; importing that
package would rewrite global rcParams) or the system's fonts-nanum.
"""
from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from typing import Protocol

from storage.fonts import matplotlib_family
from storage.budget_rules import format_won_short

DPI = 150
WIDTH_IN = 7.2  # 1080 px: a phone shows it full width without zooming
HEADER_IN = 1.45
ROW_IN = 0.62
# More bars than this stop being readable on a phone; the rest are in the CSV.
MAX_BARS = 20
LABEL_WRAP = 10  # Hangul characters per label line
FUNDED_COLOR = "#1565c0"
NOT_FUNDED_COLOR = "#b0bec5"


class ChartLine(Protocol):
    title: str
    votes: int
    cost: int
    funded: bool


def _label(rank: int, title: str) -> str:
    lines = textwrap.wrap(title, LABEL_WRAP)[:2] or [""]
    if len(textwrap.wrap(title, LABEL_WRAP)) > 2:
        lines[1] = lines[1][: LABEL_WRAP - 1] + "…"
    return f"{rank}. " + "\n".join(lines)


def render_results_chart(lines: Sequence[ChartLine], title: str, subtitle: str | None = None) -> bytes:
    """Horizontal bars of votes in ranking order; funded projects highlighted."""
    # The Figure API renders with Agg without touching pyplot's global state.
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    family = matplotlib_family()
    shown = list(lines)[:MAX_BARS]
    height = HEADER_IN + ROW_IN * max(len(shown), 1)
    fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI)

    def from_top(inches: float) -> float:
        return 1 - inches / height

    fig.text(0.5, from_top(0.4), title, ha="center", va="center", fontsize=17, fontweight="bold", family=family)
    if subtitle:
        fig.text(0.5, from_top(0.8), subtitle, ha="center", va="center", fontsize=13, family=family,
                 color="#37474f")
    ax = fig.add_axes((0.33, 0.3 / height, 0.64, from_top(HEADER_IN) - 0.3 / height))
    if not shown:
        ax.axis("off")
        ax.text(0.5, 0.5, "투표 결과가 없습니다", ha="center", va="center", fontsize=14, family=family)
        return _png(fig)
    legend = [Patch(color=FUNDED_COLOR, label="선정"), Patch(color=NOT_FUNDED_COLOR, label="미선정")]
    fig.legend(handles=legend, loc="center", bbox_to_anchor=(0.5, from_top(1.17)), ncol=2,
               prop={"family": family, "size": 12.5}, frameon=False)
    positions = list(range(len(shown)))[::-1]  # rank 1 at the top
    votes = [line.votes for line in shown]
    colors = [FUNDED_COLOR if line.funded else NOT_FUNDED_COLOR for line in shown]
    ax.barh(positions, votes, color=colors, height=0.68)
    top = max(max(votes), 1)
    ax.set_xlim(0, top * 1.55)  # room for the labels right of the longest bar
    ax.set_ylim(-0.6, len(shown) - 0.4)
    ax.set_yticks(positions, [_label(i + 1, line.title) for i, line in enumerate(shown)],
                  fontsize=13, family=family)
    for pos, line in zip(positions, shown):
        ax.text(line.votes + top * 0.02, pos, f"{line.votes:,}표 · {format_won_short(line.cost)}",
                va="center", fontsize=12.5, family=family,
                color="#0d47a1" if line.funded else "#546e7a", fontweight="bold" if line.funded else "normal")
    ax.xaxis.set_visible(False)
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    if len(lines) > MAX_BARS:
        fig.text(0.97, 0.01, f"상위 {MAX_BARS}개 사업만 표시 (전체 {len(lines)}개)", ha="right", va="bottom",
                 fontsize=9.5, family=family, color="#546e7a")
    return _png(fig)


def _png(fig) -> bytes:  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()
