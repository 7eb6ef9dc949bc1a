"""Forms of the certificates pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, RadioField, SelectChoice, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from werklab.certificates.models import RuleKind
from werklab.fields import single_line, strip
from werklab.translation import lazy_gettext as _l


class RuleForm(FlaskForm):
    kind = RadioField(
        _l("Who gets a certificate"),
        choices=[
            SelectChoice(RuleKind.ALL.value, _l("Everyone who attended every session")),
            SelectChoice(
                RuleKind.MINIMUM.value, _l("Everyone who attended at least this many sessions")
            ),
            SelectChoice(
                RuleKind.SHARE.value, _l("Everyone who attended at least this share of sessions")
            ),
        ],
        validators=[InputRequired()],
    )
    minimum_sessions = IntegerField(
        _l("Number of sessions"), validators=[Optional(), NumberRange(min=1)]
    )
    minimum_percent = IntegerField(
        _l("Share of sessions (%)"), validators=[Optional(), NumberRange(min=1, max=100)]
    )

    @property
    def chosen(self) -> RuleKind:
        return RuleKind(self.kind.data)


class ActionForm(FlaskForm):
    """A button (issue, revoke): only the CSRF token."""


class IssueForm(FlaskForm):
    """The confirmation of "issue": the people the trainer was shown (ids, comma-separated);
    only they get a certificate, so nobody is mailed whom the trainer did not see."""

    ids = HiddenField()

    def chosen(self) -> set[int] | None:
        parts = [p for p in (self.ids.data or "").split(",") if p]
        if not parts or len(parts) > 1000 or not all(p.isdigit() and len(p) < 12 for p in parts):
            return None
        return {int(p) for p in parts}


class VerifyForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form anyone may use

    code = StringField(
        _l("Verification code"),
        filters=[strip],
        validators=[
            single_line,
            InputRequired(message=_l("Please fill in the verification code.")),
            Length(max=64, message=_l("A verification code is at most 64 characters.")),
        ],
    )
