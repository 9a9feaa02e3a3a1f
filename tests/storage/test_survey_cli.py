"""Staff CLI: survey load prints line-precise errors; results write CSV and chart; other commands run."""
from __future__ import annotations

from pathlib import Path

import pytest

from storage import cli
from survey_helpers import SAMPLE


@pytest.fixture
def db_env(engine, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


def test_load_refuses_a_broken_file_with_lines(db_env, tmp_path: Path, capsys):
    broken = tmp_path / "broken.yml"
    broken.write_text(SAMPLE.read_text(encoding="utf-8").replace("max_picks: 3", "max_picks: 9")
                      .replace("anonymous: true", "anonymous: 네"), encoding="utf-8")
    assert cli.main(["survey", "load", str(broken)]) == 1
    err = capsys.readouterr().err
    assert "고칠 곳이 2군데" in err
    assert "11행: 설문의 'anonymous'는 true 또는 false여야 합니다." in err
    assert "49행: 질문 features의 'max_picks'는 1~6 사이의 정수여야 합니다." in err


def test_load_check_then_publish_then_results(db_env, tmp_path: Path, capsys):
    assert cli.main(["survey", "load", str(SAMPLE), "--check"]) == 0
    assert "등록하지 않았습니다" in capsys.readouterr().out
    assert cli.main(["survey", "load", str(SAMPLE)]) == 0
    assert "설문 #" in capsys.readouterr().out
    assert cli.main(["survey", "load", str(SAMPLE)]) == 2  # the same file again
    assert "survey_duplicate" in capsys.readouterr().err
    assert cli.main(["survey", "list"]) == 0
    survey_id = int(capsys.readouterr().out.split()[0].lstrip("#"))
    out_csv, out_png = tmp_path / "r.csv", tmp_path / "r.png"
    assert cli.main(["survey", "results", str(survey_id), "--csv", str(out_csv), "--chart", str(out_png)]) == 0
    assert "응답 0명 · 익명" in capsys.readouterr().out
    assert out_csv.read_bytes().startswith("\ufeff응답 번호".encode("utf-8"))
    assert out_png.read_bytes()[:4] == b"\x89PNG"


def test_contest_news_attendance_commands(db_env, capsys):
    assert cli.main(["contest", "open", "--title", "사진 공모", "--rules", "중구 풍경", "--deadline",
                     "2099-12-20 18:00", "--form", "photo"]) == 0
    out = capsys.readouterr().out
    assert "응모 1,000 P · 당선 5,000 P" in out
    contest_id = out.split("#", 1)[1].split()[0]
    assert cli.main(["contest", "list-entries", contest_id]) == 0
    assert "응모작이 없습니다." in capsys.readouterr().out
    assert cli.main(["contest", "pick-winners", contest_id, "1"]) == 2
    assert "contest_still_open" in capsys.readouterr().err
    assert cli.main(["news", "post", "--category", "press", "--title", "t", "--summary", "s",
                     "--link", "not-a-url"]) == 2
    assert "invalid_url" in capsys.readouterr().err
    assert cli.main(["attendance", "open", "--title", "출석", "--from", "2099-09-04", "--to", "2099-09-30"]) == 0
    assert "하루 100 P, 최대 27일" in capsys.readouterr().out
