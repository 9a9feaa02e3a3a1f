"""The staff CLI for points, end to end against a migrated database."""
from __future__ import annotations

import io
import re

import pytest
import zxingcpp
from PIL import Image

from points_helpers import fund, resident
from storage.cli import main
from storage.db import session_scope
from storage.services import points
from storage.timeutil import parse_kst

LONG_AGO = parse_kst("2024-01-10 10:00")  # before any quarter the wall clock could close


@pytest.fixture
def cli_db(engine, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("QR_SECRET", "cli-secret")
    monkeypatch.setenv("BOT_USERNAME", "junggu_cli_bot")
    with session_scope(engine) as s:
        staff = resident(s, 9, "담당자", staff=True)
        rid = resident(s, 1, "김중구")
        fund(s, rid, 10_000, now=LONG_AGO)
        points.request_exchange(s, resident_id=rid, amount=10_000, now=LONG_AGO)
    return engine


def test_event_commands_write_a_scannable_poster(cli_db, tmp_path, capsys):
    poster = tmp_path / "poster.png"
    assert main(["event", "create", "--staff", "9", "--name", "중구 걷기대회", "--place", "남산공원",
                 "--starts", "2099-12-05 09:00", "--ends", "2099-12-05 13:00", "--points", "300",
                 "--poster", str(poster)]) == 0
    out = capsys.readouterr().out
    link = next(line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("QR 링크"))
    event_id = re.search(r"#(\d+) 중구 걷기대회", out).group(1)
    assert link.startswith("https://t.me/junggu_cli_bot?start=k")
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(poster.read_bytes())))] == [link]
    assert main(["event", "list", "--staff", "9"]) == 0
    assert "중구 걷기대회" in capsys.readouterr().out
    assert main(["event", "rotate", event_id, "--staff", "9", "--poster", str(poster), "--size", "A4"]) == 0
    assert link not in capsys.readouterr().out
    assert main(["event", "list", "--staff", "1"]) == 2  # not staff


def test_volunteer_payout_and_points_commands(cli_db, tmp_path, capsys):
    csv_file = tmp_path / "vol.csv"
    csv_file.write_bytes("telegram_user_id,hours,year\n1,150,2024\n1,abc,2024\n".encode("cp949"))
    assert main(["volunteer", "import", str(csv_file), "--staff", "9"]) == 0
    out = capsys.readouterr().out
    assert "적립 1명" in out and "3행" in out
    assert main(["payout", "close", "--staff", "9"]) == 0
    out = capsys.readouterr().out
    batch_id = re.search(r"배치 #(\d+): 1명", out).group(1)
    out_file = tmp_path / "batch.csv"
    assert main(["payout", "export", batch_id, "--staff", "9", "--out", str(out_file)]) == 0
    data = out_file.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and "김중구".encode() in data and b"10000" in data
    assert main(["payout", "paid", batch_id, "--staff", "9"]) == 0
    assert main(["payout", "paid", batch_id, "--staff", "9"]) == 2
    capsys.readouterr()
    assert main(["points", "show", "1", "--staff", "9"]) == 0
    out = capsys.readouterr().out
    assert "누적 지급 10,000원" in out and "상품권 10,000원 지급 완료" in out
