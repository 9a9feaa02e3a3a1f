"""The staff command line runs a whole cycle (times far in the future, moved by set-phase)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from budget_helpers import DESCRIPTION, resident
from storage.cli import main
from storage.db import session_scope
from storage.models import BudgetCycle, BudgetProject, OutboxMessage
from storage.services import budget

TIMES = ["--intake", "2099-03-02 09:00", "--screening", "2099-03-16 09:00", "--voting", "2099-03-23 09:00",
         "--results", "2099-03-30 18:00", "--closes", "2099-04-30 18:00"]


@pytest.fixture
def cli_env(engine, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("MEDIA_DIR", str(tmp_path / "media"))
    with session_scope(engine) as s:
        resident(s, 900, staff=True)
        resident(s, 1)
    return engine


def _run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


def test_a_full_cycle_by_command_line(cli_env, capsys, tmp_path):
    code, out = _run(capsys, "budget", "create-cycle", "--staff", "900", "--name", "2099년 주민참여예산",
                     "--budget", "1억 5천만원", "--rule", "budget_limited", "--min-share", "10", *TIMES)
    assert code == 0 and "1억 5,000만원" in out and "준비 중" in out
    with session_scope(cli_env) as s:
        cycle_id = s.scalar(select(BudgetCycle.id))
        me = resident(s, 2)
    assert _run(capsys, "budget", "set-phase", "--staff", "900", str(cycle_id), "intake")[0] == 0
    with session_scope(cli_env) as s:
        pid = budget.propose_project(s, cycle_id=cycle_id, proposer_id=me, title="놀이터 그늘막",
                                     description=DESCRIPTION, dong="명동", estimated_cost=30_000_000).project.id
    code, out = _run(capsys, "budget", "projects", "--staff", "900", str(cycle_id))
    assert "심사 대기" in out and "놀이터 그늘막" in out
    code, out = _run(capsys, "budget", "screen", "--staff", "900", str(pid), "accept", "--cost", "3,500만 원")
    assert code == 0 and "3,500만원" in out
    assert _run(capsys, "budget", "set-phase", "--staff", "900", str(cycle_id), "voting")[0] == 0
    with session_scope(cli_env) as s:
        budget.ballot_toggle(s, cycle_id=cycle_id, resident_id=me, project_id=pid)
        budget.submit_ballot(s, cycle_id=cycle_id, resident_id=me)
    code, out = _run(capsys, "budget", "export-ballots", "--staff", "900", str(cycle_id))
    assert code == 2 and "voting_not_finished" in out
    code, out = _run(capsys, "budget", "tally", "--staff", "900", str(cycle_id))
    assert "현재 집계(비공개)" in out and "1표" in out
    assert _run(capsys, "budget", "set-phase", "--staff", "900", str(cycle_id), "results")[0] == 0
    code, out = _run(capsys, "budget", "publish", "--staff", "900", str(cycle_id))
    assert code == 0 and "✅ 1. 놀이터 그늘막" in out
    assert (tmp_path / "media" / "budget" / f"results_cycle_{cycle_id}.png").exists()
    ballots, results = tmp_path / "b.csv", tmp_path / "r.csv"
    assert _run(capsys, "budget", "export-ballots", "--staff", "900", str(cycle_id), "-o", str(ballots))[0] == 0
    assert _run(capsys, "budget", "export-results", "--staff", "900", str(cycle_id), "-o", str(results))[0] == 0
    assert ballots.read_bytes().startswith(b"\xef\xbb\xbf") and "사업명" in results.read_text(encoding="utf-8-sig")
    code, out = _run(capsys, "budget", "cycles", "--staff", "900")
    assert "결과 발표" in out
    assert "일정상 바뀔 단계가 없습니다" in _run(capsys, "budget", "advance", "--staff", "900")[1]
    with session_scope(cli_env) as s:
        assert s.scalar(select(BudgetProject.funded)) is True
        templates = set(s.scalars(select(OutboxMessage.template)))
        assert {"budget_screening_accepted", "budget_results_published"} <= templates


def test_bad_input_is_refused_with_a_code(cli_env, capsys):
    code, out = _run(capsys, "budget", "create-cycle", "--staff", "900", "--name", "x", "--budget", "삼천만원쯤",
                     "--rule", "budget_limited", *TIMES)
    assert code == 2 and "amount_approximate" in out
    code, out = _run(capsys, "budget", "cycles", "--staff", "1")
    assert code == 2 and "not_allowed" in out
    with pytest.raises(SystemExit):
        main(["budget", "create-cycle", "--staff", "900", "--name", "x", "--budget", "1억", "--rule", "approval",
              "--intake", "내일", *TIMES[2:]])
