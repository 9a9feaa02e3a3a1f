from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storage.db import session_scope
from storage.errors import DomainError
from storage.models import Resident, Role
from storage.rules import CONSENT_VERSION
from storage.services import residents


def test_register_creates_once(engine):
    with session_scope(engine) as s:
        r, created = residents.register(s, 1001, "김", "중구")
        assert created and r.display_name == "김 중구" and r.consent_version == CONSENT_VERSION
    with session_scope(engine) as s:
        _, created = residents.register(s, 1001, "김", "중구")
        assert not created
        assert s.scalar(select(func.count()).select_from(Resident)) == 1


def test_blank_name_becomes_default(session):
    r, _ = residents.register(session, 7, "   ", None)
    assert r.display_name == "주민"


def test_withdraw_removes_everything(engine):
    with session_scope(engine) as s:
        residents.register(s, 5, "a")
    with session_scope(engine) as s:
        assert residents.withdraw(s, 5)
        assert not residents.withdraw(s, 5)
    with session_scope(engine) as s:
        assert residents.find(s, 5) is None


def test_staff_roles(engine):
    with session_scope(engine) as s:
        residents.register(s, 9, "직원")
        with pytest.raises(DomainError) as err:
            residents.require_staff(s, 9)
        assert err.value.code == "not_allowed"
        residents.set_role(s, 9, Role.staff)
        assert residents.is_staff(s, 9)
        assert residents.staff_chat_ids(s) == [9]
    with session_scope(engine) as s, pytest.raises(DomainError) as err:
        residents.set_role(s, 404, Role.staff)
    assert err.value.code == "not_registered"


def test_datetimes_come_back_aware_utc(engine):
    with session_scope(engine) as s:
        residents.register(s, 3, "a")
    with session_scope(engine) as s:
        r = residents.find(s, 3)
        assert r is not None and r.consented_at.utcoffset().total_seconds() == 0
