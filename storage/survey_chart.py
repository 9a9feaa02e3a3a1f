"""Bar charts of survey results as PNG bytes (matplotlib Agg, Korean font).

The font is the NanumGothic that koreanize-matplotlib ships, registered by path
without importing that package (its import rewrites global rcParams), or the
system's fonts-nanum.
"""
from __future__ import annotations

import io
import math
import textwrap
from typing import TYPE_CHECKING

from storage.fonts import matplotlib_family

if TYPE_CHECKING:
    from storage.services.survey_results import SurveyResults

CHART_COLUMNS = 2
PANEL_WIDTH_IN = 6.0
PANEL_HEIGHT_IN = 3.6
DPI = 100


def render_chart(res: "SurveyResults", *, question_ids: list[str] | None = None) -> bytes:
    """One horizontal bar panel per choice/scale question, percentages on the bars."""
    # The Figure API renders with Agg without touching pyplot's global state.
    from matplotlib.figure import Figure

    chosen = [q for q in res.questions if q.options and (question_ids is None or q.id in question_ids)]
    rows = max(1, math.ceil(len(chosen) / CHART_COLUMNS))
    cols = CHART_COLUMNS if len(chosen) > 1 else 1
    family = matplotlib_family()
    fig = Figure(figsize=(PANEL_WIDTH_IN * cols, PANEL_HEIGHT_IN * rows + 0.8), dpi=DPI)
    fig.suptitle(f"{res.title} (응답 {res.respondents:,}명)", fontsize=14, family=family)
    if not chosen:
        fig.text(0.5, 0.5, "그래프로 보여 줄 선택형·척도 문항이 없습니다.", ha="center", family=family)
    for n, q in enumerate(chosen, start=1):
        ax = fig.add_subplot(rows, cols, n)
        labels = [o.label for o in q.options]
        values = [o.percent for o in q.options]
        positions = range(len(labels))
        ax.barh(list(positions), values, color="#2f6db5")
        ax.set_yticks(list(positions), labels=labels, fontsize=9, family=family)
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel("%", family=family)
        title = "\n".join(textwrap.wrap(q.text, 28))
        if q.average is not None:
            title += f"\n평균 {q.average:.2f}점"
        ax.set_title(title, fontsize=10, family=family)
        for pos, o in zip(positions, q.options):
            ax.text(min(o.percent + 1, 88), pos, f"{o.percent:.1f}% ({o.count})",
                    va="center", fontsize=8, family=family)
    fig.tight_layout(rect=(0, 0, 1, 0.96))
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
