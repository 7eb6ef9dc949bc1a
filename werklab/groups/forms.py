"""Forms of the homework groups page."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField
from wtforms.validators import DataRequired, InputRequired, NumberRange

from werklab.groups.services import SIZE_CHOICES
from werklab.translation import lazy_gettext as _l


class ComposeForm(FlaskForm):
    size = SelectField(
        _l("Group size"),
        choices=[f"{a}-{b}" for a, b in SIZE_CHOICES],
        default="3-4",
    )
    seed = IntegerField(
        _l("Seed (the same seed gives the same groups)"),
        default=1,
        validators=[
            InputRequired(message=_l("Please fill in a seed.")),
            NumberRange(min=0, max=2**31 - 1, message=_l("The seed is a whole number from 0.")),
        ],
    )
    new_round = BooleanField(_l("New year: keep these groups as history, avoid earlier pairs"))

    @property
    def bounds(self) -> tuple[int, int]:
        low, high = (self.size.data or "3-4").split("-")
        return int(low), int(high)


class MoveForm(FlaskForm):
    registration_id = IntegerField(validators=[DataRequired()])
    group_id = SelectField(_l("Move to"), coerce=int, validate_choice=False)


class LockForm(FlaskForm):
    """Lock or unlock: the route says which; only the CSRF token is needed."""
