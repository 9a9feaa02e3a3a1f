"""Staff side of proposals on both backends: answers, hide/unhide, the queue, the audit trail, the CLI."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from storage import cli
from storage import proposal_rules as rules
from storage.db import session_scope
from storage.errors import DomainError
from storage.models import OutboxMessage, Proposal, ProposalAnswer, Resident, Role
from storage.services import proposals, residents

UTC = timezone.utc
NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
BODY = "밤에 골목이 너무 어두워서 다니기 무서워요. 가로등을 더 설치해 주세요."
THRESHOLD = 3


@pytest.fixture(autouse=True)
def small_threshold(monkeypatch):
    """Three endorsements reach review here; the 50 of the default is tested in test_proposal_services."""
    monkeypatch.setenv("PROPOSAL_ENDORSEMENTS_FOR_REVIEW", str(THRESHOLD))
    monkeypatch.setenv("PROPOSAL_MILESTONES", "")


@pytest.fixture
def world(engine):
    """An author, a staff member, four residents; proposal #under_review (3 endorsers) and #open."""
    with session_scope(engine) as s:
        people = [residents.register(s, tg, f"주민{tg}", now=NOW)[0] for tg in range(100, 105)]
        staff, _ = residents.register(s, 900, "김주무관", now=NOW)
        staff.role = Role.staff
        s.flush()
        ids = [p.id for p in people]
        author, endorsers, outsider = ids[0], ids[1:4], ids[4]
        reviewed = proposals.submit(s, author_id=author, title="골목길 가로등 설치", body=BODY,
                                    category="safety", now=NOW).proposal.id
        fresh = proposals.submit(s, author_id=outsider, title="공원 벤치 교체 요청", body=BODY,
                                 category="environment", now=NOW).proposal.id
        for rid in endorsers:
            proposals.endorse(s, proposal_id=reviewed, resident_id=rid, now=NOW)
        return dict(author=author, endorsers=endorsers, outsider=outsider, staff=staff.id,
                    reviewed=reviewed, fresh=fresh)


def notices(engine, template: str) -> list[tuple[int, str]]:
    with session_scope(engine) as s:
        return [tuple(r) for r in s.execute(
            select(OutboxMessage.resident_id, OutboxMessage.dedup_key)
            .where(OutboxMessage.template == template).order_by(OutboxMessage.id))]


def raises(engine, fn, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as err, session_scope(engine) as s:
        fn(s, **kwargs)
    return err.value


def test_final_answer_reaches_author_and_every_endorser_exactly_once(engine, world):
    w = world
    with session_scope(engine) as s:
        posted = proposals.post_answer(s, proposal_id=w["reviewed"], staff_id=w["staff"],
                                       text="내년 예산에 가로등 5기 설치를 반영했습니다.", result="accepted",
                                       now=NOW + timedelta(days=3))
        assert (posted.kind, posted.notified) == ("final", 4)
    err = raises(engine, proposals.post_answer, proposal_id=w["reviewed"], staff_id=w["staff"],
                 text="다시 보내는 답변", result="not_accepted", now=NOW + timedelta(days=4))
    assert err.code == "already_answered"
    sent = notices(engine, "proposal_answered")
    assert sorted(r for r, _ in sent) == sorted([w["author"], *w["endorsers"]])
    with session_scope(engine) as s:
        p = s.get(Proposal, w["reviewed"])
        assert (p.status.value, p.answer_result.value, p.answered_at) == ("answered", "accepted",
                                                                          NOW + timedelta(days=3))
        assert s.scalar(select(func.count()).select_from(ProposalAnswer)) == 1
        card = proposals.get_card(s, w["reviewed"], now=NOW + timedelta(days=5))
        assert (card.status_label, card.answer_result_label) == ("답변 완료", "수용")
        [audit] = proposals.audit_log(s, w["reviewed"])
        assert (audit.staff_name, audit.action.value, audit.from_status.value, audit.to_status.value) == (
            "김주무관", "answer_final", "under_review", "answered")


def test_interim_answers_keep_the_review_open_and_each_is_delivered_once(engine, world):
    w = world
    for day in (1, 2):
        with session_scope(engine) as s:
            proposals.post_answer(s, proposal_id=w["reviewed"], staff_id=w["staff"], interim=True,
                                  text=f"{day}차 현장 조사를 진행 중입니다.", now=NOW + timedelta(days=day))
    assert len(notices(engine, "proposal_interim_answer")) == 2 * 4
    with session_scope(engine) as s:
        assert s.get(Proposal, w["reviewed"]).status.value == "under_review"
        assert [a.action.value for a in proposals.audit_log(s, w["reviewed"])] == ["answer_interim"] * 2


@pytest.mark.parametrize("kwargs, code", [
    (dict(text="답변", result=None), "result_required"),
    (dict(text="답변", result="maybe"), "unknown_result"),
    (dict(text="답변", result="accepted", interim=True), "result_not_for_interim"),
    (dict(text="  ", result="accepted"), "answer_empty"),
    (dict(text="👍👍", result="accepted"), "answer_empty"),
    (dict(text="가" * (rules.ANSWER_MAX + 1), result="accepted"), "answer_too_long"),
])
def test_bad_answers_change_nothing(engine, world, kwargs, code):
    assert raises(engine, proposals.post_answer, proposal_id=world["reviewed"], staff_id=world["staff"],
                  now=NOW, **kwargs).code == code
    with session_scope(engine) as s:
        assert s.get(Proposal, world["reviewed"]).status.value == "under_review"
        assert proposals.audit_log(s, world["reviewed"]) == []


def test_only_staff_answer_and_only_under_review(engine, world):
    w = world
    assert raises(engine, proposals.post_answer, proposal_id=w["reviewed"], staff_id=w["author"],
                  text="답변", result="accepted").code == "not_allowed"
    err = raises(engine, proposals.post_answer, proposal_id=w["fresh"], staff_id=w["staff"],
                 text="답변", result="accepted", now=NOW)
    assert (err.code, err.params["status"]) == ("proposal_not_under_review", "open")
    assert raises(engine, proposals.post_answer, proposal_id=404, staff_id=w["staff"], text="답변",
                  result="accepted").code == "proposal_not_found"


def test_hide_and_unhide(engine, world):
    w = world
    with session_scope(engine) as s:
        proposals.hide(s, proposal_id=w["fresh"], staff_id=w["staff"], reason="  욕설이 포함되어 있습니다 ", now=NOW)
    with session_scope(engine) as s:
        assert w["fresh"] not in [c.id for c in proposals.list_proposals(s, now=NOW).items]
        assert proposals.find_by_text(s, "벤치", now=NOW) == []
        with pytest.raises(DomainError) as err:
            proposals.get_card(s, w["fresh"], viewer_id=w["author"], now=NOW)
        assert err.value.code == "proposal_not_found"
        own = proposals.get_card(s, w["fresh"], viewer_id=w["outsider"], now=NOW)
        assert (own.status, own.hidden_reason) == ("hidden", "욕설이 포함되어 있습니다")
        assert [c.id for c in proposals.my_proposals(s, author_id=w["outsider"], now=NOW).items] == [w["fresh"]]
        assert proposals.get_card(s, w["fresh"], viewer_id=w["staff"], now=NOW).status == "hidden"
    assert raises(engine, proposals.endorse, proposal_id=w["fresh"], resident_id=w["author"],
                  now=NOW).code == "proposal_hidden"
    assert raises(engine, proposals.hide, proposal_id=w["fresh"], staff_id=w["staff"],
                  reason="또").code == "already_hidden"
    with session_scope(engine) as s:
        restored = proposals.unhide(s, proposal_id=w["fresh"], staff_id=w["staff"], now=NOW)
        assert (restored.status.value, restored.hidden_reason, restored.previous_status) == ("open", None, None)
    assert raises(engine, proposals.unhide, proposal_id=w["fresh"], staff_id=w["staff"]).code == "not_hidden"
    assert raises(engine, proposals.hide, proposal_id=w["fresh"], staff_id=w["staff"],
                  reason=" ").code == "reason_required"
    assert raises(engine, proposals.hide, proposal_id=w["fresh"], staff_id=w["author"],
                  reason="스팸").code == "not_allowed"
    assert [r for r, _ in notices(engine, "proposal_hidden")] == [w["outsider"]]
    assert [r for r, _ in notices(engine, "proposal_unhidden")] == [w["outsider"]]
    with session_scope(engine) as s:
        assert [(a.action.value, a.from_status.value, a.to_status.value) for a in
                proposals.audit_log(s, w["fresh"])] == [("hide", "open", "hidden"), ("unhide", "hidden", "open")]


def test_hiding_under_review_returns_to_review(engine, world):
    w = world
    with session_scope(engine) as s:
        proposals.hide(s, proposal_id=w["reviewed"], staff_id=w["staff"], reason="개인정보 노출", now=NOW)
    assert raises(engine, proposals.post_answer, proposal_id=w["reviewed"], staff_id=w["staff"],
                  text="답변", result="accepted").code == "proposal_not_under_review"
    with session_scope(engine) as s:
        assert proposals.unhide(s, proposal_id=w["reviewed"], staff_id=w["staff"], now=NOW).status.value == \
            "under_review"


def test_staff_list_puts_overdue_reviews_first(engine, world):
    w = world
    with session_scope(engine) as s:
        due = s.get(Proposal, w["reviewed"]).review_due_at
        before = proposals.staff_list(s, now=due - timedelta(seconds=1))
        after = proposals.staff_list(s, now=due)
        assert [(r.id, r.overdue) for r in before] == [(w["reviewed"], False), (w["fresh"], False)]
        assert (after[0].id, after[0].overdue, after[0].count, after[0].author_name) == (
            w["reviewed"], True, 3, "주민100")
        assert [r.id for r in proposals.staff_list(s, status="open", now=NOW)] == [w["fresh"]]
        assert [r.id for r in proposals.staff_list(s, status="expired", now=due)] == [w["fresh"]]


def test_expire_by_staff_is_audited(engine, world):
    w = world
    with session_scope(engine) as s:
        closes = s.get(Proposal, w["fresh"]).closes_at
        assert proposals.expire_due(s, staff_id=w["staff"], now=closes) == [w["fresh"]]
        [audit] = proposals.audit_log(s, w["fresh"])
        assert (audit.action.value, audit.staff_name) == ("expire", "김주무관")
    assert raises(engine, proposals.expire_due, staff_id=w["author"], now=NOW).code == "not_allowed"


def test_cli_answer_hide_list_audit(engine, world, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    w = world
    assert cli.main(["proposals", "list", "--staff", "900"]) == 0
    assert "골목길 가로등 설치" in capsys.readouterr().out
    assert cli.main(["proposals", "answer", str(w["reviewed"]), "--staff", "900", "--interim",
                     "--text", "현장 조사 중입니다."]) == 0
    assert cli.main(["proposals", "answer", str(w["reviewed"]), "--staff", "900", "--result", "partly_accepted",
                     "--text", "일부 구간에 설치합니다."]) == 0
    assert cli.main(["proposals", "answer", str(w["reviewed"]), "--staff", "900", "--result", "accepted",
                     "--text", "다시"]) == 2
    assert "already_answered" in capsys.readouterr().err
    assert cli.main(["proposals", "hide", str(w["fresh"]), "--staff", "900", "--reason", "광고성 게시물"]) == 0
    assert cli.main(["proposals", "unhide", str(w["fresh"]), "--staff", "900"]) == 0
    assert cli.main(["proposals", "expire", "--staff", "900"]) == 0
    assert cli.main(["proposals", "list", "--staff", "100"]) == 2  # not staff
    capsys.readouterr()
    assert cli.main(["proposals", "audit", str(w["reviewed"]), "--staff", "900"]) == 0
    out = capsys.readouterr().out
    assert "answer_interim" in out and "answer_final" in out and "김주무관" in out
    with session_scope(engine) as s:
        assert s.get(Proposal, w["reviewed"]).answer_result.value == "partly_accepted"
        assert s.scalar(select(Resident.id).where(Resident.telegram_user_id == 900)) == w["staff"]
