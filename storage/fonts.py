"""The Korean font every image we draw uses (charts, posters).

NanumGothic ships inside the koreanize-matplotlib wheel, so no system
package is needed; Debian's fonts-nanum is the fallback.
"""
from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

SYSTEM_FONT_DIRS = (Path("/usr/share/fonts/truetype/nanum"), Path("/usr/share/fonts/nanum"))
WEIGHTS = {"regular": "", "bold": "Bold", "extrabold": "ExtraBold"}


@lru_cache(maxsize=None)
def korean_font_path(weight: str = "regular") -> Path | None:
    """NanumGothic (regular, bold or extrabold) from koreanize-matplotlib or fonts-nanum.

    None if neither is installed. find_spec locates the package without
    importing it (importing it reconfigures matplotlib globally).
    """
    spec = importlib.util.find_spec("koreanize_matplotlib")
    dirs = [Path(loc) / "fonts" for loc in (spec.submodule_search_locations or [])] if spec else []
    dirs += SYSTEM_FONT_DIRS
    names = [f"NanumGothic{WEIGHTS[weight]}.ttf", "NanumGothic.ttf"]
    return next((d / n for n in names for d in dirs if (d / n).is_file()), None)


@lru_cache(maxsize=1)
def matplotlib_family() -> str:
    """Register the Korean font with matplotlib once; its family name (or a Latin fallback)."""
    from matplotlib import font_manager

    path = korean_font_path()
    if path is None:
        return "DejaVu Sans"
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()
