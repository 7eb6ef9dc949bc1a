"""Every access rule, one function each. Views call these; tests cover each one.

`user` is Flask-Login's current_user: an anonymous user has is_authenticated False.
"""

from __future__ import annotations

from werklab.accounts.models import User
from werklab.catalog.models import Programme, ProgrammeStatus
from werklab.errors import ReadOnly
from werklab.registration.models import Registration
from werklab.translation import lazy_gettext as _l


def _signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def is_coordinator(user) -> bool:
    """Coordinators run the catalogue, users and everything else."""
    return _signed_in(user) and user.is_coordinator


def is_staff(user) -> bool:
    """Coordinators and trainers."""
    return _signed_in(user) and (user.is_coordinator or user.is_trainer)


def can_manage_catalogue(user) -> bool:
    """Create and edit programmes and sessions, assign trainers, open and close registration."""
    return is_coordinator(user)


def can_manage_users(user) -> bool:
    return is_coordinator(user)


def is_trainer_of(user, programme: Programme) -> bool:
    return _signed_in(user) and user.is_trainer and any(t.id == user.id for t in programme.trainers)


def can_work_on(user, programme: Programme) -> bool:
    """See a programme's participants, keep attendance, write notes, export: its trainers
    and the coordinators."""
    return is_coordinator(user) or is_trainer_of(user, programme)


def owns_registration(user, registration: Registration) -> bool:
    """A participant signed in with the e-mail address they registered with."""
    return (
        _signed_in(user)
        and isinstance(user, User)
        and (user.email == registration.email_normalized)
    )


def can_view_registration(user, registration: Registration) -> bool:
    return owns_registration(user, registration) or can_work_on(user, registration.programme)


def can_cancel_registration(user, registration: Registration) -> bool:
    return owns_registration(user, registration) or is_coordinator(user)


# --- trainer workspace and attendance (issue 3) ---------------------------------------------


def can_see_participants(user, programme: Programme) -> bool:
    """The participant list, waiting list and a participant's details: the programme's
    trainers and the coordinators."""
    return can_work_on(user, programme)


def can_export_participants(user, programme: Programme) -> bool:
    """Download the participants (CSV, XLSX) with e-mail and dietary wishes."""
    return can_work_on(user, programme)


def can_take_attendance(user, programme: Programme) -> bool:
    """Keep the attendance register of a session and print its attendance sheet."""
    return can_work_on(user, programme)


def can_view_notes(user, registration: Registration) -> bool:
    """Read the private trainer notes about a participant in the workspace. (The participant
    reads the notes about themselves under "mijn gegevens"; that page has its own rule.)"""
    return can_work_on(user, registration.programme)


def can_add_note(user, registration: Registration) -> bool:
    """Write a private trainer note about a participant."""
    return can_work_on(user, registration.programme)


def can_view_own_programmes(user) -> bool:
    """See "Mijn traject": one's own registrations, calendar and "mijn gegevens" (including
    the trainer notes about oneself). Anyone signed in: these pages only show what belongs to
    the signed-in person's own e-mail address."""
    return _signed_in(user)


def can_erase_own_data(user) -> bool:
    """Have everything about oneself erased: participants. Staff accounts are closed by a
    coordinator instead (their name is on records that others rely on)."""
    return _signed_in(user) and not user.is_staff


# --- invoices (issue 4) ----------------------------------------------------------------------


def can_manage_invoices(user) -> bool:
    """See every invoice and credit note, export them, mark bank transfers as paid:
    coordinators. (The payer gets their own invoice through the registration's manage link.)"""
    return is_coordinator(user)


# --- resident initiatives and site visits (issue 5) ------------------------------------------


def can_manage_initiatives(user) -> bool:
    """Keep the directory of resident initiatives and their consent records: coordinators."""
    return is_coordinator(user)


def can_plan_visits(user, programme: Programme) -> bool:
    """Plan site visits, assign participants and set session hosts: the programme's trainers
    and the coordinators."""
    return can_work_on(user, programme)


# --- werklab booking: intake, quotes, the municipality's dashboard (issue 5) ---------------


def can_manage_booking_requests(user) -> bool:
    """See intake requests, keep notes, build and send quotes: coordinators."""
    return is_coordinator(user)


def can_view_municipality_dashboard(user, booking_request) -> bool:
    """A municipality's dashboard (status, dates, invitation link, names of who registered):
    the contacts linked to the booking request, and the coordinators."""
    return is_coordinator(user) or (
        _signed_in(user) and any(c.id == user.id for c in booking_request.contacts)
    )


# --- certificates (issue 6) ------------------------------------------------------------------


def can_issue_certificates(user, programme: Programme) -> bool:
    """See who is eligible for a certificate, set the rule and issue them: the programme's
    trainers and the coordinators."""
    return can_work_on(user, programme)


def can_revoke_certificate(user, certificate) -> bool:
    """Revoke a certificate: the programme's trainers and the coordinators."""
    return can_work_on(user, certificate.programme)


def can_download_certificate(user, certificate) -> bool:
    """Download a certificate PDF: the participant it was issued to (signed in with the
    e-mail address they registered with), the programme's trainers and the coordinators.
    (The manage link is the participant's other key, checked in the view.)"""
    return owns_registration(user, certificate.registration) or can_work_on(
        user, certificate.programme
    )


# --- assignments and submissions (issue 6) ---------------------------------------------------


def can_manage_assignments(user, programme: Programme) -> bool:
    """Create and edit assignments, see who handed in, give feedback: the programme's
    trainers and the coordinators."""
    return can_work_on(user, programme)


def is_group_member(user, members: list[Registration]) -> bool:
    """Signed in with the e-mail address of one of the group's registrations."""
    return any(owns_registration(user, registration) for registration in members)


def can_submit(user, members: list[Registration]) -> bool:
    """Hand in for a homework group: its members only."""
    return is_group_member(user, members)


def can_view_submissions(user, programme: Programme, members: list[Registration]) -> bool:
    """A group's hand-ins, feedback and files: the group's members, the programme's trainers
    and the coordinators."""
    return is_group_member(user, members) or can_work_on(user, programme)


# --- homework groups (issue 6) ---------------------------------------------------------------


def can_compose_groups(user, programme: Programme) -> bool:
    """Compose, reshuffle, lock homework groups and move people between them: the programme's
    trainers and the coordinators."""
    return can_work_on(user, programme)


def can_view_homework_group(user, registration: Registration) -> bool:
    """See a participant's homework group (names and organisations of its members): the
    participant themselves, the programme's trainers and the coordinators."""
    return owns_registration(user, registration) or can_work_on(user, registration.programme)


# --- running a programme day to day (issue 13) -----------------------------------------------


def can_manage_registrations(user) -> bool:
    """Add, correct, cancel and move registrations, resend their mails, mark their invoices
    paid: coordinators."""
    return is_coordinator(user)


def can_view_audit_log(user) -> bool:
    """Browse the audit log (everything, or one programme's history): coordinators."""
    return is_coordinator(user)


def can_write_to_participants(user, programme: Programme) -> bool:
    """Write to a programme's participants, waiting list or a homework group, and read what
    was sent: the programme's trainers and the coordinators."""
    return can_work_on(user, programme)


def can_read_message(user, registration: Registration) -> bool:
    """A message someone received: that person only (staff read the programme's history)."""
    return owns_registration(user, registration)


def can_change_email_sharing(user, registration: Registration) -> bool:
    """Show or hide one's e-mail address to one's homework group: the person themselves."""
    return owns_registration(user, registration)


# --- interim evaluations (issue 14) ------------------------------------------------------------


def can_manage_evaluations(user, programme: Programme) -> bool:
    """Questionnaires of a programme, and the evaluation of each session (which one, on or
    off, anonymous or named): the programme's trainers and the coordinators."""
    return can_work_on(user, programme)


def can_see_evaluation_results(user, programme: Programme) -> bool:
    """A programme's evaluation results and their CSV: its trainers and the coordinators.
    (With anonymity on, nobody sees who gave which answer; services.results sees to it.)"""
    return can_work_on(user, programme)


# --- early warning: "Aandacht nodig" (issue 14) ----------------------------------------------


def can_follow_up(user, programme: Programme) -> bool:
    """See who needs attention in a programme and why: the programme's trainers and the
    coordinators."""
    return can_work_on(user, programme)


def can_contact_participant(user, registration: Registration) -> bool:
    """Send a participant a personal message and note that one got in touch: the trainers
    of their programme and the coordinators."""
    return can_work_on(user, registration.programme)


# --- reminders and the trainers' calendar feed (issue 13) -------------------------------------


def can_set_reminders(user, programme: Programme) -> bool:
    """How many days before each session a programme's participants are reminded: its
    trainers and the coordinators."""
    return can_work_on(user, programme)


def can_have_trainer_feed(user) -> bool:
    """A calendar link with the sessions of the programmes one runs: trainers."""
    return _signed_in(user) and user.is_trainer


# --- the overview in figures (issue 13) -------------------------------------------------------


def can_view_overview(user) -> bool:
    """See the figures of every programme, money included: coordinators."""
    return is_coordinator(user)


# --- exports (issue 13) -----------------------------------------------------------------------


def can_export_attendance(user, programme: Programme) -> bool:
    """Download a programme's attendance matrix (participants x sessions): its trainers and
    the coordinators."""
    return can_work_on(user, programme)


def can_export_certificates(user, programme: Programme) -> bool:
    """Download the certificates issued in a programme: its trainers and the coordinators."""
    return can_work_on(user, programme)


def can_export_all_certificates(user) -> bool:
    """Download the certificates issued in every programme: coordinators."""
    return is_coordinator(user)


def can_export_booking_requests(user) -> bool:
    """Download the werklab requests with their stages and quotes: coordinators."""
    return is_coordinator(user)


# --- hosts take turns (issue 15) -------------------------------------------------------------


def can_volunteer_to_host(user, registration: Registration) -> bool:
    """Offer to host a meeting of a programme: the person registered, with a confirmed place
    (signed in with the e-mail address they registered with)."""
    return owns_registration(user, registration) and registration.is_seated


def can_withdraw_host_offer(user, offer) -> bool:
    """Withdraw an offer to host: the volunteer themselves."""
    return owns_registration(user, offer.registration)


def can_view_host_offer(user, offer) -> bool:
    """An offer to host, with the practical questions sent to the host: the volunteer, the
    programme's trainers and the coordinators."""
    return owns_registration(user, offer.registration) or can_work_on(user, offer.programme)


def can_choose_hosts(user, programme: Programme) -> bool:
    """See the offers to host, accept one per meeting and release a host: the programme's
    trainers (and the coordinators, who stand in for them)."""
    return can_work_on(user, programme)


def can_ask_host(user, registration: Registration, offer) -> bool:
    """Send the host of a meeting a practical question: a participant with a confirmed place
    in that programme, asking as themselves."""
    return (
        owns_registration(user, registration)
        and registration.is_seated
        and registration.programme_id == offer.programme_id
    )


# --- the programme set together (issue 15) ---------------------------------------------------


def can_read_learning_questions(user, programme: Programme) -> bool:
    """The learning questions of a programme's participants, grouped by sector and
    organisation: the programme's trainers and the coordinators."""
    return can_work_on(user, programme)


def can_manage_themes(user, programme: Programme) -> bool:
    """Propose, change and hide themes, set the number of votes, see who proposed what and
    fix the theme of a session: the programme's trainers and the coordinators."""
    return can_work_on(user, programme)


def can_vote_on_themes(user, registration: Registration) -> bool:
    """Vote on themes, take a vote back and propose a theme: the participant themselves,
    with a confirmed seat (not someone waiting or who cancelled)."""
    return (
        owns_registration(user, registration)
        and registration.is_seated
        and registration.erased_at is None
    )


# --- a completed programme is read-only (issue 15) ----------------------------------------------


def is_read_only(programme: Programme) -> bool:
    """A completed programme is kept as it ended: its sessions, attendance, groups,
    assignments, certificates, evaluations and notes no longer change, for anyone."""
    return programme.status is ProgrammeStatus.COMPLETED


def can_change_programme(user, programme: Programme) -> bool:
    """Show the forms of the trainer's pages of a programme: its trainers and the
    coordinators, while the programme is not completed."""
    return can_work_on(user, programme) and not is_read_only(programme)


def check_changeable(programme: Programme) -> None:
    """Refuse a change to a completed programme (409, with the reason). Called by every view
    that changes something on a trainer's page of a programme, after its access check."""
    if is_read_only(programme):
        raise ReadOnly(
            str(
                _l(
                    "%(title)s has been completed: its pages can be read but no longer changed.",
                    title=programme.title,
                )
            )
        )


def can_plan_series(user, programme: Programme) -> bool:
    """Plan a series of sessions for a programme: its trainers and the coordinators."""
    return can_work_on(user, programme)


def can_complete_programme(user) -> bool:
    """Complete a programme by hand, before tick does: coordinators."""
    return is_coordinator(user)


def can_open_renewal(user, programme: Programme) -> bool:
    """Invite a Community of Practice's participants to a next year: the coordinators."""
    return is_coordinator(user) and programme.kind.value == "cop"


def can_view_renewal(user, programme: Programme) -> bool:
    """See who renewed, declined or did not answer: the coordinators and the programme's
    trainers (who plan next year with the group)."""
    return can_work_on(user, programme)
