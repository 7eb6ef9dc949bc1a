"""Forms of the coordinator area: programmes, sessions, trainers, users."""

from __future__ import annotations

import re
from datetime import datetime, time
from decimal import Decimal

from flask_babel import format_date
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from werklab.catalog.labels import KIND_LABELS, SESSION_KIND_LABELS
from werklab.catalog.models import (
    DEFAULT_MINIMUM,
    MAX_GROUP_SIZE,
    Programme,
    ProgrammeKind,
    ProgrammeSession,
    SessionKind,
    Visibility,
)
from werklab.catalog.services import (
    MAX_FEE_CENTS,
    ProgrammeData,
    SessionData,
    local_to_utc,
    utc_to_local,
)
from werklab.db import utcnow
from werklab.fields import (
    TextAreaField,
    no_control_characters,
    required_date,
    required_end_time,
    required_start_time,
    single_line,
    strip,
)
from werklab.translation import lazy_gettext as _l

VISIBILITY_LABELS = {
    Visibility.PUBLIC: _l("Public: in the catalogue, open to everyone"),
    Visibility.INVITATION: _l("Invitation only: only with the invitation link"),
}

#: "750", "750,00", "750.5", "1.250,00", "€ 750": euros, Dutch or English notation.
_DUTCH_THOUSANDS = re.compile(r"\d{1,3}(\.\d{3})+(,\d{1,2})?")
_PLAIN_AMOUNT = re.compile(r"\d+([.,]\d{1,2})?")
#: Deadline time when only a date is given: the end of that day.
END_OF_DAY = time(23, 59)


def parse_euros(text: str) -> int | None:
    """Return the amount in cents, None for an empty field; ValueError when unreadable."""
    value = re.sub(r"[\s\u00a0€]", "", text or "")
    if value.lower().startswith("eur"):
        value = value[3:]
    if not value:
        return None
    if _DUTCH_THOUSANDS.fullmatch(value):
        value = value.replace(".", "").replace(",", ".")
    elif _PLAIN_AMOUNT.fullmatch(value):
        value = value.replace(",", ".")
    else:
        raise ValueError(value)
    return int(Decimal(value) * 100)


def format_euros(cents: int | None) -> str:
    """Cents as the coordinator types them: "750" or "750,50"."""
    if cents is None:
        return ""
    euros, rest = divmod(cents, 100)
    return f"{euros},{rest:02d}" if rest else str(euros)


def _number(label, default, message):
    return IntegerField(
        label,
        default=default,
        invalid_value_message=message,
        validators=[InputRequired(message=message)],
        render_kw={"min": 1, "max": MAX_GROUP_SIZE},
    )


class ProgrammeForm(FlaskForm):
    """A programme's details. The kind is chosen once, when the programme is created."""

    kind = SelectField(
        _l("Kind of programme"),
        choices=[SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()],
        validate_choice=False,
        description=_l("A werklab gets its three sessions from the template; you set the dates."),
    )
    title = StringField(
        _l("Title"),
        filters=[strip],
        validators=[
            single_line,
            DataRequired(message=_l("Please give the programme a title.")),
            Length(max=200, message=_l("The title can be at most 200 characters.")),
        ],
    )
    description = TextAreaField(
        _l("Description"),
        filters=[strip],
        validators=[
            no_control_characters,
            Length(max=10000, message=_l("The description can be at most 10,000 characters.")),
        ],
    )
    region = StringField(
        _l("Region"),
        filters=[strip],
        validators=[
            single_line,
            Length(max=120, message=_l("The region can be at most 120 characters.")),
        ],
    )
    fee = StringField(
        _l("Fee per participant per year, in euros, excluding VAT"),
        filters=[strip],
        description=_l("For example 750 or 750,00. Leave empty when there is no fee."),
        validators=[single_line, Length(max=20, message=_l("This fee is not possible."))],
    )
    min_participants = _number(
        _l("Minimum number of participants"),
        DEFAULT_MINIMUM,
        _l("Please fill in the minimum number of participants as a whole number."),
    )
    max_participants = _number(
        _l("Maximum number of participants"),
        MAX_GROUP_SIZE,
        _l("Please fill in the maximum number of participants as a whole number."),
    )
    deadline_date = DateField(
        _l("Registration deadline: date"),
        invalid_value_message=_l("Please fill in a date, e.g. 31-01-2027."),
        validators=[Optional()],
        description=_l("Leave empty for no deadline."),
    )
    deadline_time = TimeField(
        _l("Registration deadline: time"),
        invalid_value_message=_l("Please fill in a time, e.g. 23:59."),
        validators=[Optional()],
        description=_l("Dutch time. Empty: the end of the day (23:59)."),
    )
    decision_date = DateField(
        _l("Decision date (go / no-go)"),
        invalid_value_message=_l("Please fill in a date, e.g. 31-01-2027."),
        validators=[Optional()],
    )
    cancellation_date = DateField(
        _l("Free cancellation until (date)"),
        invalid_value_message=_l("Please fill in a date, e.g. 31-01-2027."),
        validators=[Optional()],
        description=_l(
            "Until the end of this day participants cancel with their money back; after it "
            "a colleague can take over their place. Empty: free cancellation until the start."
        ),
    )
    vat_rate = RadioField(
        _l("VAT on the fee"),
        choices=[
            SelectChoice("2100", _l("21 %")),
            SelectChoice("900", _l("9 %")),
            SelectChoice("0", _l("0 % (exempt; the invoice states why)")),
        ],
        default="2100",
        validate_choice=False,
    )
    visibility = RadioField(
        _l("Who can find it"),
        choices=[SelectChoice(v.value, label) for v, label in VISIBILITY_LABELS.items()],
        default=Visibility.PUBLIC.value,
        validate_choice=False,
    )

    def __init__(self, *args, programme: Programme | None = None, **kwargs):
        if programme is not None:
            kwargs.setdefault("data", self.initial(programme))
        super().__init__(*args, **kwargs)
        self._programme = programme
        self._initial = self.initial(programme) if programme is not None else {}
        if programme is not None:
            del self.kind  # fixed at creation: a werklab has its three template sessions

    @staticmethod
    def initial(programme: Programme) -> dict:
        deadline = (
            utc_to_local(programme.registration_deadline)
            if programme.registration_deadline
            else None
        )
        return {
            "title": programme.title,
            "description": programme.description,
            "region": programme.region,
            "fee": format_euros(programme.fee_cents),
            "min_participants": programme.min_participants,
            "max_participants": programme.max_participants,
            "deadline_date": deadline.date() if deadline else None,
            "deadline_time": deadline.time() if deadline else None,
            "decision_date": programme.decision_date,
            "cancellation_date": (
                utc_to_local(programme.cancellation_deadline).date()
                if programme.cancellation_deadline
                else None
            ),
            "vat_rate": str(programme.vat_rate_bp),
            "visibility": programme.visibility.value,
        }

    def validate_kind(self, field):
        if field.data not in {k.value for k in ProgrammeKind}:
            raise ValidationError(_l("Please choose a kind of programme."))

    def validate_visibility(self, field):
        if field.data not in {v.value for v in Visibility}:
            raise ValidationError(_l("Please choose who can find the programme."))

    def validate_fee(self, field):
        try:
            cents = parse_euros(field.data)
        except ValueError:
            raise ValidationError(
                _l("Please fill in the fee in euros, e.g. 750 or 750,00.")
            ) from None
        if cents is not None and cents > MAX_FEE_CENTS:
            raise ValidationError(_l("This fee is not possible."))
        self.fee_cents = cents

    def validate_min_participants(self, field):
        if field.data is not None and field.data < 1:
            raise ValidationError(_l("The minimum number of participants must be at least 1."))

    def validate_max_participants(self, field):
        if field.data is None:
            return
        if field.data > MAX_GROUP_SIZE:
            raise ValidationError(
                _l(
                    "The maximum group size is %(max)d: larger groups turned out to make "
                    "sessions passive.",
                    max=MAX_GROUP_SIZE,
                )
            )
        if field.data < 1:
            raise ValidationError(_l("The maximum number of participants must be at least 1."))
        minimum = self.min_participants.data
        if minimum is not None and minimum > field.data:
            raise ValidationError(
                _l("The minimum number of participants cannot be above the maximum.")
            )

    def validate_vat_rate(self, field):
        if field.data not in {"2100", "900", "0"}:
            raise ValidationError(_l("Please choose the VAT rate."))

    def _check_day(self, field, *, before_first_session: bool) -> None:
        """A date that is set or changed cannot lie in the past, and a date that must come
        before the programme starts cannot lie after its first session."""
        if field.data is None or field.data == self._initial.get(field.name):
            return
        today = utc_to_local(utcnow()).date()
        if field.data < today:
            raise ValidationError(_l("This date has already passed: choose today or later."))
        sessions = self._programme.sessions if self._programme is not None else []
        if before_first_session and sessions:
            first = min(utc_to_local(s.starts_at).date() for s in sessions)
            if field.data > first:
                raise ValidationError(
                    _l(
                        "This date lies after the first session (%(date)s): choose an earlier "
                        "date.",
                        date=format_date(first, "d MMMM y"),
                    )
                )

    def validate_deadline_date(self, field):
        self._check_day(field, before_first_session=False)

    def validate_decision_date(self, field):
        self._check_day(field, before_first_session=True)

    def validate_cancellation_date(self, field):
        self._check_day(field, before_first_session=True)

    def validate_deadline_time(self, field):
        if field.data is not None and self.deadline_date.data is None:
            raise ValidationError(_l("Please fill in the date of the deadline as well."))

    def to_data(self, kind: ProgrammeKind) -> ProgrammeData:
        deadline = None
        if self.deadline_date.data is not None:
            deadline = local_to_utc(
                datetime.combine(self.deadline_date.data, self.deadline_time.data or END_OF_DAY)
            )
        return ProgrammeData(
            kind=kind,
            title=self.title.data,
            description=self.description.data or "",
            region=self.region.data or "",
            fee_cents=self.fee_cents,
            min_participants=self.min_participants.data,
            max_participants=self.max_participants.data,
            registration_deadline=deadline,
            decision_date=self.decision_date.data,
            cancellation_deadline=(
                local_to_utc(datetime.combine(self.cancellation_date.data, END_OF_DAY))
                if self.cancellation_date.data
                else None
            ),
            vat_rate_bp=int(self.vat_rate.data),
            visibility=Visibility(self.visibility.data),
        )


class SessionForm(FlaskForm):
    theme = StringField(
        _l("Theme"),
        filters=[strip],
        validators=[
            single_line,
            DataRequired(message=_l("Please give the session a theme.")),
            Length(max=200, message=_l("The theme can be at most 200 characters.")),
        ],
    )
    kind = RadioField(
        _l("Kind of session"),
        choices=[SelectChoice(k.value, label) for k, label in SESSION_KIND_LABELS.items()],
        default=SessionKind.WORKSHOP.value,
        validate_choice=False,
    )
    day = required_date()
    start = required_start_time()
    end = required_end_time()
    location_name = StringField(
        _l("Location"),
        filters=[strip],
        description=_l("For example the name of the community centre or initiative."),
        validators=[
            single_line,
            Length(max=200, message=_l("The location can be at most 200 characters.")),
        ],
    )
    location_address = StringField(
        _l("Address"),
        filters=[strip],
        validators=[
            single_line,
            Length(max=300, message=_l("The address can be at most 300 characters.")),
        ],
    )
    description = TextAreaField(
        _l("Description"),
        filters=[strip],
        validators=[
            no_control_characters,
            Length(max=5000, message=_l("The description can be at most 5,000 characters.")),
        ],
    )

    def __init__(self, *args, session: ProgrammeSession | None = None, **kwargs):
        if session is not None:
            starts, ends = utc_to_local(session.starts_at), utc_to_local(session.ends_at)
            kwargs.setdefault(
                "data",
                {
                    "theme": session.theme,
                    "kind": session.kind.value,
                    "day": starts.date(),
                    "start": starts.time(),
                    "end": ends.time(),
                    "location_name": session.location_name,
                    "location_address": session.location_address,
                    "description": session.description,
                },
            )
        super().__init__(*args, **kwargs)

    def validate_kind(self, field):
        if field.data not in {k.value for k in SessionKind}:
            raise ValidationError(_l("Please choose the kind of session."))

    def validate_end(self, field):
        if field.data is not None and self.start.data is not None and field.data <= self.start.data:
            raise ValidationError(_l("A session must end after it starts."))

    def to_data(self) -> SessionData:
        return SessionData(
            theme=self.theme.data,
            starts_at=local_to_utc(datetime.combine(self.day.data, self.start.data)),
            ends_at=local_to_utc(datetime.combine(self.day.data, self.end.data)),
            location_name=self.location_name.data or "",
            location_address=self.location_address.data or "",
            kind=SessionKind(self.kind.data),
            description=self.description.data or "",
        )


class AssignTrainerForm(FlaskForm):
    user_id = SelectField(_l("Trainer"), validate_choice=False)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {str(user.id): user for user in candidates}
        self.user_id.choices = [
            SelectChoice(str(user.id), user.display_name) for user in candidates
        ]

    def validate_user_id(self, field):
        if field.data not in self.candidates:
            raise ValidationError(_l("Please choose a trainer."))

    @property
    def chosen(self):
        return self.candidates[self.user_id.data]


class RolesForm(FlaskForm):
    is_coordinator = BooleanField(_l("Coordinator: runs the catalogue, users and everything else"))
    is_trainer = BooleanField(_l("Trainer: runs the programmes they are assigned to"))


class NewUserForm(RolesForm):
    name = StringField(
        _l("Name"),
        filters=[strip],
        validators=[
            single_line,
            DataRequired(message=_l("Please fill in the name.")),
            Length(max=200, message=_l("The name can be at most 200 characters.")),
        ],
    )
    email = EmailField(
        _l("E-mail address"),
        filters=[strip],
        validators=[
            single_line,
            DataRequired(message=_l("Please fill in the e-mail address.")),
            Length(max=254, message=_l("This e-mail address is too long.")),
            Email(message=_l("This is not a valid e-mail address, e.g. name@organisation.nl.")),
        ],
    )

    def validate_is_trainer(self, field):
        if not (field.data or self.is_coordinator.data):
            raise ValidationError(_l("Choose at least one role: coordinator or trainer."))


class CancelProgrammeForm(FlaskForm):
    """No-go: why the programme does not go ahead (put in the mail to everyone)."""

    reason = TextAreaField(
        _l("Message to the participants (optional)"),
        filters=[strip],
        description=_l("For example: too few registrations to make it a good group."),
        validators=[
            no_control_characters,
            Length(max=1000, message=_l("At most 1000 characters.")),
        ],
    )
    confirm = BooleanField(
        _l("Yes, cancel this programme and tell everyone"),
        validators=[DataRequired(message=_l("Tick the box to confirm the cancellation."))],
    )
