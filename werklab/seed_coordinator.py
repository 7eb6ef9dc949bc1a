"""Demo data for running a programme day to day (issue 13): a sign-up by phone, someone
moved up the waiting list, a cancellation on someone's behalf, homework groups with e-mail
consent, and a message from a trainer. Called by seed.seed_demo."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from werklab.accounts.models import User
from werklab.catalog.models import Programme
from werklab.extensions import db
from werklab.groups import services as groups
from werklab.manage import registrations as manage
from werklab.messages import services as messages
from werklab.messages.models import Audience
from werklab.registration.models import Registration, RegistrationStatus, Sector
from werklab.registration.signup import RegistrationData


def _people(programme: Programme, status: RegistrationStatus) -> list[Registration]:
    return list(
        db.session.execute(
            select(Registration)
            .where(Registration.programme_id == programme.id, Registration.status == status)
            .order_by(Registration.waitlist_seq, Registration.id)
        ).scalars()
    )


def seed_day_to_day(
    cop: Programme, lg: Programme, coordinator: User, trainer: User, now: datetime
) -> None:
    """What a coordinator and a trainer did in the first weeks, visible in the history."""
    cora = f"coordinator:{coordinator.id}"
    # A sign-up by phone lands on the full Lerende Gemeenschap's waiting list ...
    manage.add_registration(
        lg.id,
        RegistrationData(
            first_name="Gerrit",
            last_name="Telefoon",
            email="gerrit.telefoon@example.nl",
            organisation="Woningcorporatie De Linie",
            sector=Sector.CIVIL_SOCIETY,
            job_title="Wijkconsulent",
            learning_question="Hoe sluiten wij aan bij wat bewoners zelf doen?",
            privacy_consent=True,
        ),
        place="waitlist",
        actor=cora,
        now=now + timedelta(hours=1),
    )
    # ... and is put first, for a reason the history keeps.
    last = _people(lg, RegistrationStatus.WAITLISTED)[-1]
    manage.move_to_front(
        last,
        reason="Neemt de plek over van een collega die zich afmeldde",
        actor=cora,
        now=now + timedelta(hours=2),
    )
    # Someone in the Lerende Gemeenschap could no longer take part: cancelled on their
    # behalf; the freed seat is offered to the person just moved up.
    leaving = _people(lg, RegistrationStatus.CONFIRMED)[-1]
    choice = manage.money_choice(leaving, now)
    manage.cancel_for(
        leaving,
        money=choice.policy,
        reason="Nieuwe baan, belde om af te melden",
        actor=cora,
        now=now + timedelta(hours=3),
    )
    # Half of the CoP agreed to show their e-mail address to their homework group.
    for person in _people(cop, RegistrationStatus.CONFIRMED)[::2]:
        person.share_email_at = now
    db.session.flush()
    groups.compose_groups(cop, size_min=3, size_max=4, seed=2026, actor=trainer, now=now)
    messages.send_message(
        cop,
        messages.MessageData(
            Audience.PARTICIPANTS,
            "Welkom, en vast iets om over na te denken",
            "Fijn dat je meedoet. Neem voor de eerste bijeenkomst een voorbeeld mee van een "
            "initiatief uit je eigen werk waar je trots op bent, of waar je mee worstelt.\n\n"
            "In je mail staat wie er in je huiswerkgroep zit. Tot dan!",
        ),
        author=trainer,
        now=now + timedelta(hours=4),
    )
