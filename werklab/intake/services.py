"""Werklab booking: the intake request, the coordinator's pipeline and quote, acceptance online,
and what acceptance sets in motion (programme, municipality account, invoice)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select

from werklab import audit
from werklab.accounts import services as accounts
from werklab.accounts.models import User
from werklab.catalog import services as catalog
from werklab.catalog.models import Programme, ProgrammeKind, Visibility
from werklab.catalog.services import local_date
from werklab.db import utcnow
from werklab.errors import DomainError, ValidationError
from werklab.extensions import db
from werklab.intake.models import (
    BookingRequest,
    PolicyArea,
    ProgrammeEmailDomain,
    Quote,
    QuoteLine,
    QuoteStatus,
    RequestStatus,
)
from werklab.invoicing.buyer import clean_buyer
from werklab.invoicing.documents import invoice_quote
from werklab.links import external_url, sign, unsign
from werklab.mail import OutboxMail, queue_mail
from werklab.pdf import render_pdf
from werklab.registration.models import Registration, RegistrationStatus
from werklab.translation import lazy_gettext as _l

#: Salt of the signed quote links; nothing else is signed with it.
QUOTE_SALT = "intake.quote"
#: At most this many lines on a quote.
MAX_LINES = 8
MAX_LINE_CENTS = 100_000_000


class QuoteClosed(DomainError):
    status_code = 409


@dataclass
class IntakeData:
    municipality: str
    contact_name: str
    contact_role: str
    contact_email: str
    contact_phone: str
    expected_participants: int
    policy_areas: list[str]
    question: str
    policy_other: str = ""
    current_practice: str = ""
    known_initiatives: str = ""
    preferred_period: str = ""
    practical_wishes: str = ""
    locale: str = "nl"


@dataclass
class QuoteData:
    lines: list[tuple[str, int]]  # (description, amount in cents excl. VAT)
    vat_rate_bp: int
    valid_until: date


@dataclass
class Acceptance:
    name: str
    role: str
    purchase_reference: str
    billing_address: str
    billing_email: str = ""
    agree_terms: bool = False
    extra: dict = field(default_factory=dict)
    # For the e-invoice: the municipality's reference (this or the purchase-order number is
    # required), the address in parts (which then makes `billing_address`), its OIN or KvK
    # number, its Peppol ID, and whether it wants the invoice as an e-invoice.
    buyer_reference: str = ""
    street: str = ""
    postcode: str = ""
    city: str = ""
    legal_id: str = ""
    peppol_id: str = ""
    e_invoice: bool = False


# --- 1. the intake request ------------------------------------------------------------------


def coordinators() -> list[User]:
    return list(
        db.session.execute(
            select(User).where(User.is_coordinator.is_(True), User.active.is_(True))
        ).scalars()
    )


def _notify_coordinators(subject, template: str, kind: str, booking, now: datetime, **context):
    """Tell every active coordinator about a request, with a link to it."""
    for coordinator in coordinators():
        queue_mail(
            coordinator.email,
            subject,
            template,
            to_name=coordinator.name,
            kind=kind,
            reply_to=[(booking.contact_name, booking.contact_email)],
            now=now,
            booking=booking,
            link=external_url("intake.request_detail", request_id=booking.id),
            **context,
        )


def submit_request(data: IntakeData, *, now: datetime | None = None) -> BookingRequest:
    """Store a municipality's intake request; confirm it to the contact, tell the
    coordinators."""
    now = now or utcnow()
    if not data.municipality.strip() or not data.question.strip():
        raise ValidationError(str(_l("Please fill in the municipality and your question.")))
    areas = [a for a in data.policy_areas if a in {p.value for p in PolicyArea}]
    booking = BookingRequest(
        status=RequestStatus.NEW,
        municipality=data.municipality.strip(),
        contact_name=data.contact_name.strip(),
        contact_role=data.contact_role.strip(),
        contact_email=data.contact_email.strip(),
        contact_phone=data.contact_phone.strip(),
        expected_participants=data.expected_participants,
        policy_areas=areas,
        policy_other=data.policy_other.strip(),
        question=data.question.strip(),
        current_practice=data.current_practice.strip(),
        known_initiatives=data.known_initiatives.strip(),
        preferred_period=data.preferred_period.strip(),
        practical_wishes=data.practical_wishes.strip(),
        locale=data.locale,
        created_at=now,
        updated_at=now,
    )
    db.session.add(booking)
    db.session.flush()
    audit.record("booking_request.created", booking, actor="public", now=now)
    queue_mail(
        booking.contact_email,
        _l("We received your request for a werklab"),
        "intake/request_received",
        to_name=booking.contact_name,
        locale=booking.locale,
        kind="intake.request_received",
        now=now,
        booking=booking,
    )
    _notify_coordinators(
        _l("New werklab request: %(municipality)s", municipality=booking.municipality),
        "intake/request_notice",
        "intake.request_notice",
        booking,
        now,
    )
    return booking


def confirmation_mail(booking: BookingRequest) -> OutboxMail | None:
    """The confirmation mailed to the contact when the request came in (queued with the
    request's own time), to tell the visitor honestly whether it went out."""
    return (
        db.session.execute(
            select(OutboxMail).where(
                OutboxMail.kind == "intake.request_received",
                OutboxMail.to_addr == booking.contact_email,
                OutboxMail.created_at == booking.created_at,
            )
        )
        .scalars()
        .first()
    )


# --- 2. the coordinator's pipeline ----------------------------------------------------------


def list_requests(status: RequestStatus | None = None) -> list[BookingRequest]:
    query = select(BookingRequest).order_by(BookingRequest.created_at.desc(), BookingRequest.id)
    if status is not None:
        query = query.where(BookingRequest.status == status)
    return list(db.session.execute(query).scalars())


def load_request(request_id: int) -> BookingRequest | None:
    return db.session.get(BookingRequest, request_id)


#: The statuses a coordinator sets by hand; the others follow from the quote.
MANUAL_STATUSES = (RequestStatus.NEW, RequestStatus.IN_PROGRESS, RequestStatus.DECLINED)


def update_request(
    booking: BookingRequest,
    *,
    status: RequestStatus,
    notes: str,
    actor: str,
    now: datetime | None = None,
) -> BookingRequest:
    """Keep the intake notes and move a request that has no answered quote yet."""
    now = now or utcnow()
    if status is not booking.status:
        if status not in MANUAL_STATUSES or booking.status is RequestStatus.ACCEPTED:
            raise ValidationError(str(_l("This status cannot be set by hand.")))
        audit.record(
            "booking_request.status_changed",
            booking,
            actor=actor,
            now=now,
            old=booking.status.value,
            new=status.value,
        )
        booking.status = status
    booking.notes = notes.strip()
    booking.updated_at = now
    db.session.flush()
    return booking


def default_quote_lines() -> list[tuple[str, int]]:
    """The usual lines, for the coordinator to adjust (content, kept in Dutch)."""
    return [
        ("Intake en voorbereiding", 0),
        ("Drie bijeenkomsten met twee begeleiders", 0),
        ("Reiskosten", 0),
    ]


def save_quote(
    booking: BookingRequest, data: QuoteData, *, actor: str, now: datetime | None = None
) -> Quote:
    """Create or change the request's quote; only a quote that has not been sent changes."""
    now = now or utcnow()
    if any(c and not d.strip() for d, c in data.lines):
        # Never drop an amount silently with its empty line.
        raise ValidationError(str(_l("Every line with an amount needs a description.")))
    lines = [(d.strip(), c) for d, c in data.lines if d.strip()]
    if not lines:
        raise ValidationError(str(_l("A quote needs at least one line.")))
    if len(lines) > MAX_LINES or any(not 0 <= c <= MAX_LINE_CENTS for _, c in lines):
        raise ValidationError(str(_l("These amounts are not possible.")))
    if not 0 <= data.vat_rate_bp <= 10000:
        raise ValidationError(str(_l("This VAT rate is not possible.")))
    if data.valid_until < local_date(now):
        raise ValidationError(str(_l("The quote must be valid until today or later.")))
    if booking.status is RequestStatus.ACCEPTED:
        raise QuoteClosed(str(_l("This request has been accepted: its quote no longer changes.")))
    quote = booking.quote
    if quote is not None and quote.status is QuoteStatus.ACCEPTED:
        raise QuoteClosed(str(_l("This quote has been accepted and no longer changes.")))
    if quote is None:
        quote = Quote(booking_request=booking, created_at=now, valid_until=data.valid_until)
        db.session.add(quote)
    elif quote.status is not QuoteStatus.DRAFT:
        # A sent, expired or declined quote is replaced by a new version (a new link).
        quote.status = QuoteStatus.DRAFT
        quote.sent_at = quote.answered_at = quote.terms_agreed_at = None
        quote.decline_reason = ""
    quote.vat_rate_bp = data.vat_rate_bp
    quote.valid_until = data.valid_until
    quote.lines.clear()
    db.session.flush()
    for i, (description, cents) in enumerate(lines, start=1):
        quote.lines.append(QuoteLine(position=i, description=description[:300], amount_cents=cents))
    if booking.status is RequestStatus.NEW:
        booking.status = RequestStatus.IN_PROGRESS
    booking.updated_at = now
    db.session.flush()
    audit.record(
        "quote.saved", quote, actor=actor, now=now, total_incl_cents=quote.total_incl_cents
    )
    return quote


def quote_token(quote: Quote) -> str:
    """The secret part of the quote link: the quote id and when it was sent, signed. A new
    version of the quote (sent again) makes the old link stop working."""
    sent = quote.sent_at.isoformat() if quote.sent_at else ""
    return sign(f"{quote.id}|{sent}", salt=QUOTE_SALT)


def quote_url(quote: Quote) -> str:
    return external_url("intake.quote", token=quote_token(quote))


def find_quote(token: str) -> Quote | None:
    """The quote behind a link, or None for a tampered, unknown or replaced link."""
    value = unsign(token, salt=QUOTE_SALT)
    if value is None:
        return None
    quote_id, _, sent = value.partition("|")
    if not quote_id.isdigit():
        return None
    quote = db.session.get(Quote, int(quote_id))
    if quote is None or quote.sent_at is None or quote.sent_at.isoformat() != sent:
        return None
    return quote


def send_quote(quote: Quote, *, actor: str, now: datetime | None = None) -> Quote:
    """Mail the quote (PDF and a link to answer it online) to the contact."""
    now = now or utcnow()
    if quote.status is not QuoteStatus.DRAFT:
        raise QuoteClosed(str(_l("Only a quote that has not been sent yet can be sent.")))
    if quote.is_expired(local_date(now)):
        raise ValidationError(str(_l("The quote must be valid until today or later.")))
    check_sendable(quote)
    booking = quote.booking_request
    quote.terms = current_app.config["QUOTE_TERMS"].strip()
    quote.status = QuoteStatus.SENT
    quote.sent_at = now.replace(microsecond=0)
    booking.status = RequestStatus.QUOTE_SENT
    booking.updated_at = now
    db.session.flush()
    audit.record("quote.sent", quote, actor=actor, now=now, to=booking.contact_email)
    queue_mail(
        booking.contact_email,
        _l("Quote for a werklab in %(municipality)s", municipality=booking.municipality),
        "intake/quote",
        to_name=booking.contact_name,
        locale=booking.locale,
        kind="intake.quote",
        attachments_later=[("werklab.intake.services:quote_attachment", {"quote_id": quote.id})],
        now=now,
        booking=booking,
        quote=quote,
        link=quote_url(quote),
    )
    return quote


def check_sendable(quote: Quote) -> None:
    """A quote goes out only with lines and an amount: a municipality must never be able to
    accept a werklab for €0."""
    if not quote.lines:
        raise ValidationError(str(_l("This quote has no lines: add what the werklab costs.")))
    if quote.total_excl_cents <= 0:
        raise ValidationError(
            str(_l("This quote comes to €0: fill in the amounts before sending it."))
        )


def quote_terms(quote: Quote) -> str:
    """The terms of a quote: its own copy once sent, the current setting for a draft."""
    return quote.terms or current_app.config["QUOTE_TERMS"].strip()


def quote_pdf(quote: Quote) -> bytes:
    """The quote as an A4 PDF (everything typed is rendered as text)."""
    with force_locale(quote.booking_request.locale):
        html = render_template(
            "pdf/quote.html",
            quote=quote,
            booking=quote.booking_request,
            cfg=current_app.config,
            terms=quote_terms(quote),
        )
    return render_pdf(html)


def quote_filename(quote: Quote) -> str:
    with force_locale(quote.booking_request.locale):
        return str(_l("quote-%(number)s.pdf", number=quote.id))


def quote_attachment(quote_id: int) -> tuple[str, str, bytes]:
    quote = db.session.get(Quote, quote_id)
    if quote is None:
        raise LookupError(f"quote {quote_id} is gone")
    return quote_filename(quote), "application/pdf", quote_pdf(quote)


def expire_quotes(now: datetime | None = None) -> int:
    """Mark requests whose sent quote ran out as expired (idempotent)."""
    now = now or utcnow()
    today = local_date(now)
    rows = db.session.execute(
        select(Quote).where(Quote.status == QuoteStatus.SENT, Quote.valid_until < today)
    ).scalars()
    count = 0
    for quote in rows:
        if quote.booking_request.status is RequestStatus.QUOTE_SENT:
            quote.booking_request.status = RequestStatus.EXPIRED
            audit.record("booking_request.expired", quote.booking_request, actor="system", now=now)
            count += 1
    db.session.flush()
    return count


# --- 3. the answer online -------------------------------------------------------------------


def _lock_quote(quote: Quote) -> Quote:
    return db.session.execute(
        select(Quote)
        .where(Quote.id == quote.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def _check_open(quote: Quote, now: datetime) -> None:
    if quote.status in (QuoteStatus.ACCEPTED, QuoteStatus.DECLINED):
        raise QuoteClosed(str(_l("This quote has already been answered.")))
    if quote.status is not QuoteStatus.SENT:
        raise QuoteClosed(str(_l("This quote cannot be answered.")))
    if quote.is_expired(local_date(now)):
        raise QuoteClosed(
            str(
                _l(
                    "This quote was valid until %(date)s and can no longer be accepted. Please "
                    "contact us for a new quote.",
                    date=quote.valid_until.strftime("%d-%m-%Y"),
                )
            )
        )


def decline_quote(quote: Quote, reason: str, *, now: datetime | None = None) -> Quote:
    """The contact declines the quote, with a reason."""
    now = now or utcnow()
    quote = _lock_quote(quote)
    _check_open(quote, now)
    if not reason.strip():
        raise ValidationError(str(_l("Please tell us why you decline.")))
    quote.status = QuoteStatus.DECLINED
    quote.answered_at = now
    quote.decline_reason = reason.strip()
    booking = quote.booking_request
    booking.status = RequestStatus.DECLINED
    booking.updated_at = now
    audit.record("quote.declined", quote, actor="municipality", now=now, reason=reason.strip())
    _notify_coordinators(
        _l("Quote declined: %(municipality)s", municipality=booking.municipality),
        "intake/quote_answered",
        "intake.quote_declined",
        booking,
        now,
        quote=quote,
    )
    db.session.flush()
    return quote


def accept_quote(quote: Quote, data: Acceptance, *, now: datetime | None = None) -> Quote:
    """The contact accepts the quote. In this same transaction: a werklab programme (draft,
    invitation-only, three sessions), a municipality account with a sign-in link, and the
    invoice per the quote with the municipality's reference."""
    now = now or utcnow()
    quote = _lock_quote(quote)
    _check_open(quote, now)
    check_sendable(quote)  # a €0 quote sent before this rule existed is not accepted either
    name, role, reference = data.name.strip(), data.role.strip(), data.purchase_reference.strip()
    buyer = clean_buyer(
        street=data.street,
        postcode=data.postcode,
        city=data.city,
        legal_id=data.legal_id,
        peppol_id=data.peppol_id,
        reference=data.buyer_reference,
        order_number=reference,
        e_invoice=data.e_invoice,
    )
    address = buyer.printed_address() if buyer.has_address else data.billing_address.strip()
    if not (name and role and address):
        raise ValidationError(str(_l("Please fill in your name, role and billing address.")))
    if not data.agree_terms:
        raise ValidationError(str(_l("Please agree to the terms.")))
    booking = quote.booking_request
    quote.status = QuoteStatus.ACCEPTED
    quote.answered_at = quote.terms_agreed_at = now
    quote.answered_name, quote.answered_role = name[:200], role[:200]
    quote.purchase_reference = buyer.order_number
    quote.buyer_reference = buyer.reference
    quote.billing_address = address[:500]
    quote.billing_email = (data.billing_email.strip() or booking.contact_email)[:254]
    quote.billing_street, quote.billing_postcode = buyer.street, buyer.postcode
    quote.billing_city, quote.billing_country = buyer.city, buyer.country
    quote.buyer_legal_scheme, quote.buyer_legal_id = buyer.legal_scheme, buyer.legal_id
    quote.buyer_peppol_id, quote.e_invoice = buyer.peppol_id, buyer.e_invoice
    booking.status = RequestStatus.ACCEPTED
    booking.updated_at = now
    audit.record(
        "quote.accepted",
        quote,
        actor="municipality",
        now=now,
        name=name,
        role=role,
        reference=buyer.order_number or buyer.reference,
    )

    programme = catalog.create_programme(
        catalog.ProgrammeData(
            kind=ProgrammeKind.WERKLAB,
            title=f"Werklab {booking.municipality}"[:200],
            region=booking.municipality[:120],
            visibility=Visibility.INVITATION,
            vat_rate_bp=quote.vat_rate_bp,
            description=booking.question,
        ),
        actor="system",
        now=now,
    )
    booking.programme = programme

    user = accounts.find_user(booking.contact_email)
    if user is None:
        user = accounts.create_user(
            booking.contact_email, booking.contact_name, actor="system", now=now
        )
    if all(c.id != user.id for c in booking.contacts):
        booking.contacts.append(user)
    db.session.flush()
    accounts.send_login_link(
        user.email,
        next_path=f"/gemeente/{booking.id}",
        locale=booking.locale,
        now=now,
    )

    invoice = invoice_quote(
        organisation=f"Gemeente {booking.municipality}"
        if not booking.municipality.lower().startswith("gemeente")
        else booking.municipality,
        address=quote.billing_address,
        email=quote.billing_email,
        reference=quote.purchase_reference,
        buyer=buyer,
        lines=[(line.description, line.amount_cents) for line in quote.lines],
        vat_rate_bp=quote.vat_rate_bp,
        programme_title=programme.title,
        locale=booking.locale,
        now=now,
    )
    quote.invoice_id = invoice.id

    queue_mail(
        booking.contact_email,
        _l("Thank you: your werklab is booked"),
        "intake/quote_accepted",
        to_name=booking.contact_name,
        locale=booking.locale,
        kind="intake.quote_accepted",
        now=now,
        booking=booking,
        quote=quote,
        link=external_url("intake.dashboard", request_id=booking.id),
    )
    _notify_coordinators(
        _l("Quote accepted: %(municipality)s", municipality=booking.municipality),
        "intake/quote_answered",
        "intake.quote_accepted_notice",
        booking,
        now,
        quote=quote,
    )
    db.session.flush()
    return quote


# --- 4. the municipality's dashboard and e-mail domains -------------------------------------

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def requests_of(user) -> list[BookingRequest]:
    """The booking requests whose dashboard `user` may see as municipality contact."""
    return list(
        db.session.execute(
            select(BookingRequest)
            .where(BookingRequest.contacts.any(User.id == user.id))
            .order_by(BookingRequest.id)
        ).scalars()
    )


def allowed_domains(programme_id: int) -> list[str]:
    """The e-mail domains a programme is restricted to (empty: not restricted)."""
    return list(
        db.session.execute(
            select(ProgrammeEmailDomain.domain)
            .where(ProgrammeEmailDomain.programme_id == programme_id)
            .order_by(ProgrammeEmailDomain.domain)
        ).scalars()
    )


def parse_domains(text: str) -> list[str]:
    """ "arnhem.nl, @Gemeente.nl" → ["arnhem.nl", "gemeente.nl"]; refuse what is no domain."""
    domains = []
    for part in re.split(r"[\s,;]+", text.strip().lower()):
        part = part.lstrip("@")
        if not part:
            continue
        if not _DOMAIN.match(part):
            raise ValidationError(str(_l("%(domain)s is not an e-mail domain.", domain=part)))
        if part not in domains:
            domains.append(part)
    if len(domains) > 10:
        raise ValidationError(str(_l("At most 10 e-mail domains.")))
    return domains


def set_allowed_domains(
    programme: Programme, domains: list[str], *, actor: str, now: datetime | None = None
) -> list[str]:
    """Restrict registration to these e-mail domains (an empty list lifts the restriction)."""
    now = now or utcnow()
    db.session.execute(
        ProgrammeEmailDomain.__table__.delete().where(
            ProgrammeEmailDomain.programme_id == programme.id
        )
    )
    for domain in domains:
        db.session.add(ProgrammeEmailDomain(programme_id=programme.id, domain=domain))
    db.session.flush()
    audit.record("programme.email_domains_set", programme, actor=actor, now=now, domains=domains)
    return domains


def invitation_url(programme: Programme) -> str:
    return external_url(
        "registration.register", slug=programme.slug, uitnodiging=programme.invitation_token
    )


def registered_names(programme: Programme) -> list[tuple[str, bool]]:
    """Who registered: (name, seated) in order of registration; names only."""
    rows = db.session.execute(
        select(Registration.first_name, Registration.last_name, Registration.status)
        .where(
            Registration.programme_id == programme.id,
            Registration.status.in_(
                [
                    RegistrationStatus.CONFIRMED,
                    RegistrationStatus.HELD,
                    RegistrationStatus.WAITLISTED,
                    RegistrationStatus.OFFERED,
                ]
            ),
        )
        .order_by(Registration.created_at, Registration.id)
    )
    return [
        (f"{first} {last}".strip(), status is not RegistrationStatus.WAITLISTED)
        for first, last, status in rows
    ]
