"""The declaration covers every table and column, and the retention job has a function for
each step it declares: a new model cannot drift out of the register."""

from __future__ import annotations

from collections import Counter

from werklab.db import Base
from werklab.privacy import register
from werklab.privacy.register import GLOBAL_STEPS, ITEMS, RETENTION_STEPS, Step
from werklab.privacy.retention import STEPS


def metadata_columns() -> set[str]:
    return {f"{t.name}.{c.name}" for t in Base.metadata.tables.values() for c in t.columns}


def test_every_column_in_the_metadata_is_classified(app):
    declared = set(register.personal_columns()) | register.not_personal_columns()
    missing = sorted(metadata_columns() - declared)
    assert not missing, (
        "columns not in werklab/privacy/register.py (add them to an item, or to NOT_PERSONAL): "
        f"{missing}"
    )


def test_the_declaration_names_only_columns_that_exist(app):
    declared = set(register.personal_columns()) | register.not_personal_columns()
    assert sorted(declared - metadata_columns()) == []


def test_no_column_is_both_personal_and_not_or_in_two_items():
    personal = [c for item in ITEMS for c in item.columns]
    twice = [c for c, n in Counter(personal).items() if n > 1]
    assert twice == []
    assert sorted(set(personal) & register.not_personal_columns()) == []
    assert len({item.key for item in ITEMS}) == len(ITEMS)


def test_the_job_has_a_function_for_each_step_it_runs_and_each_is_declared():
    assert set(STEPS) == set(RETENTION_STEPS)
    used = {item.step for item in ITEMS}
    assert set(RETENTION_STEPS) <= used and set(GLOBAL_STEPS) <= used
    # The fiscal step wipes the columns the declaration gives it, on both documents.
    fiscal = {c.split(".")[0] for item in register.items_for(Step.FISCAL) for c in item.columns}
    assert {"invoices", "quotes", "registration_billing"} <= fiscal


def test_every_item_answers_every_question(app):
    with app.test_request_context():
        for item in ITEMS:
            assert str(item.what) and str(item.purpose) and str(item.subjects)
            assert item.basis in register.BASIS_LABELS
            assert register.rule_text(item.rule, 12)
            assert item.step in register.STEP_LABELS
