"""Every text field of every form gets the same checks (issue 11, items 9, 10 and 16).

One-line fields end up in mail headers, subjects, PDFs and CSV files: they refuse line breaks
and control characters. Multi-line fields refuse control characters and store line breaks as
"\\n" (werklab.fields.TextAreaField). Every text field has a maximum length, which the
database column must hold (tests/test_max_length.py submits the public forms at it).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from wtforms import EmailField, Form, HiddenField, PasswordField, StringField
from wtforms import TextAreaField as PlainTextAreaField
from wtforms.fields.core import UnboundField
from wtforms.validators import Length

import werklab
from werklab import fields
from werklab.fields import no_control_characters, single_line


def form_modules():
    for module in pkgutil.walk_packages(werklab.__path__, "werklab."):
        if module.name.rsplit(".", 1)[-1].endswith("forms"):
            yield importlib.import_module(module.name)


def text_fields():
    seen = set()
    for module in form_modules():
        for _, form in inspect.getmembers(module, inspect.isclass):
            if (
                not issubclass(form, Form)
                or form in seen
                or not form.__module__.startswith("werklab.")
            ):
                continue
            seen.add(form)
            for name in dir(form):
                unbound = getattr(form, name, None)
                if isinstance(unbound, UnboundField) and issubclass(
                    unbound.field_class, StringField
                ):
                    yield f"{form.__module__}.{form.__name__}.{name}", unbound


def validators_of(unbound: UnboundField) -> list:
    if "validators" in unbound.kwargs:
        return list(unbound.kwargs["validators"] or [])
    return list(unbound.args[1]) if len(unbound.args) > 1 else []


FIELDS = dict(text_fields())


def test_the_forms_are_found():
    assert "werklab.intake.forms.IntakeForm.contact_name" in FIELDS
    assert "werklab.registration.forms.RegistrationForm.billing_street" in FIELDS
    assert len(FIELDS) > 60


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_every_text_field_refuses_what_it_cannot_hold(name):
    unbound = FIELDS[name]
    validators = validators_of(unbound)
    if issubclass(unbound.field_class, PasswordField | HiddenField):
        return  # a password is never stored or shown; a hidden "next" is checked as a path
    if issubclass(unbound.field_class, PlainTextAreaField):
        assert unbound.field_class is fields.TextAreaField, (
            f"{name}: use werklab.fields.TextAreaField (it stores line breaks as \\n)"
        )
        assert no_control_characters in validators or single_line in validators, name
    else:
        assert issubclass(unbound.field_class, StringField | EmailField)
        assert single_line in validators, f"{name}: a one-line field needs single_line"
    assert any(isinstance(v, Length) and v.max > 0 for v in validators), (
        f"{name}: every text field needs a maximum length"
    )
