"""The demo district: seeded only where allowed, once, through the services; the 48/50 proposal goes live."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from storage import demo, proposal_rules
from storage.db import make_engine, migrate, session_scope
from storage.models import Base, Proposal
from storage.proposal_rules import ProposalStatus
from storage.services import proposals, residents


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in Base.metadata.sorted_tables}


def _fresh(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'ontong.db'}"
    migrate(url)
    return url


def test_demo_zero_starts_empty(tmp_path: Path) -> None:
    url = _fresh(tmp_path)
    outcome, info = demo.ensure(url, env={"DEMO": "0"}, media_dir=tmp_path / "media")
    assert (outcome, info) == ("disabled", None)
    assert not any(_counts(make_engine(url)).values())


def test_postgresql_is_never_seeded() -> None:
    assert not demo.enabled("postgresql+psycopg://postgres@127.0.0.1:5432/x", {})
    assert demo.ensure("postgresql+psycopg://nobody@127.0.0.1:1/none", env={})[0] == "disabled"


@pytest.mark.postgres
def test_postgresql_database_stays_empty(pg_engine: Engine) -> None:
    url = pg_engine.url.render_as_string(hide_password=False)
    assert demo.ensure(url, env={})[0] == "disabled"
    assert not any(_counts(pg_engine).values())


def test_database_with_a_real_resident_is_never_seeded(tmp_path: Path) -> None:
    url = _fresh(tmp_path)
    engine = make_engine(url)
    with session_scope(engine) as s:
        residents.register(s, 12345, "진짜 주민")
    before = _counts(engine)
    assert demo.ensure(url, env={}, media_dir=tmp_path / "media") == ("real", None)
    assert _counts(engine) == before
    assert demo.reset(url, media_dir=tmp_path / "media") == ("real", None)
    assert _counts(engine) == before


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    tmp = tmp_path_factory.mktemp("demo")
    url = _fresh(tmp)
    outcome, info = demo.ensure(url, env={}, media_dir=tmp / "media")
    assert outcome == "created" and info is not None
    return url, tmp


def test_seeding_twice_changes_nothing(seeded: tuple[str, Path]) -> None:
    url, tmp = seeded
    engine = make_engine(url)
    before = _counts(engine)
    assert before["residents"] > 3 and before["proposals"] == 15 and before["news_items"] == 12
    outcome, info = demo.ensure(url, env={}, media_dir=tmp / "media")
    assert outcome == "seeded" and info == demo.read_info(url)
    assert _counts(engine) == before


def test_every_item_is_marked_and_the_poster_exists(seeded: tuple[str, Path]) -> None:
    url, _ = seeded
    info = demo.read_info(url)
    assert Path(info.poster_png).stat().st_size > 0 and Path(info.poster_pdf).read_bytes()[:4] == b"%PDF"
    with session_scope(make_engine(url)) as s:
        titles = s.scalars(select(Proposal.title)).all()
    assert titles and all(t.startswith(demo.MARK) for t in titles)


def test_the_near_threshold_proposal_reaches_review_after_two_endorsements(seeded: tuple[str, Path]) -> None:
    url, _ = seeded
    needed = proposal_rules.load_config().endorsements_for_review
    engine = make_engine(url)
    with session_scope(engine) as s:
        near = [p for p in s.scalars(select(Proposal)) if proposals.count_endorsements(s, p.id) == needed - 2]
        assert len(near) == 1 and near[0].status == ProposalStatus.open
        proposal_id = near[0].id
        visitor = residents.find(s, demo.RESIDENT_ID)
        second = residents.find(s, demo.SECOND_RESIDENT_ID)
        assert visitor is not None and second is not None
        visitor_id, second_id = visitor.id, second.id
    with session_scope(engine) as s:
        first = proposals.endorse(s, proposal_id=proposal_id, resident_id=visitor_id)
        assert (first.count, first.reached_review) == (needed - 1, False)
    with session_scope(engine) as s:
        last = proposals.endorse(s, proposal_id=proposal_id, resident_id=second_id)
        assert (last.count, last.reached_review) == (needed, True)
        assert s.get(Proposal, proposal_id).status == ProposalStatus.under_review
