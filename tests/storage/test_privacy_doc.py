"""PRIVACY.md lists every column of the resident-owned tables, checked both ways against the models."""
from __future__ import annotations

import re

from storage.models import Base
from storage.services.my_data import resident_linked_columns
from storage.settings import PROJECT_ROOT

DOC = PROJECT_ROOT / "PRIVACY.md"
# A table whose rows belong to one resident references residents.id by one of these.
OWNER_COLUMNS = {"resident_id", "author_id", "proposer_id"}
ALSO = {"residents", "once_marks"}
ENTRY = re.compile(r"`([a-z_]+)\.([a-z_]+)`")


def _doc_rows() -> dict[str, tuple[set[str], set[str]]]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("<!-- privacy-columns:start -->", 1)[1].split("<!-- privacy-columns:end -->", 1)[0]
    rows: dict[str, tuple[set[str], set[str]]] = {}
    for line in section.strip().splitlines()[2:]:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        table, personal, other = cells[0], cells[1], cells[2]
        for cell in (personal, other):
            assert all(t == table for t, _ in ENTRY.findall(cell)), line
        rows[table] = ({c for _, c in ENTRY.findall(personal)}, {c for _, c in ENTRY.findall(other)})
    return rows


def _owned_tables() -> set[str]:
    return {t for t, c in resident_linked_columns() if c in OWNER_COLUMNS} | ALSO


def test_every_resident_owned_table_is_documented_and_nothing_else():
    assert set(_doc_rows()) == _owned_tables()


def test_every_column_is_classified_exactly_once_and_exists():
    for table, (personal, other) in _doc_rows().items():
        columns = {c.name for c in Base.metadata.tables[table].columns}
        assert personal | other == columns, (table, columns ^ (personal | other))
        assert not personal & other, table


def test_the_link_to_the_person_is_always_personal():
    rows = _doc_rows()
    for table, column in resident_linked_columns():
        if column in OWNER_COLUMNS and table in rows:
            assert column in rows[table][0], f"{table}.{column}"
    assert {"telegram_user_id", "display_name", "dong"} <= rows["residents"][0]
    assert not rows["once_marks"][0]  # tombstones hold no personal data
