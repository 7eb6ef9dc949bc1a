"""Mail outbox: queue_mail() writes a row in the caller's transaction; delivery runs after
commit (inline) or from `flask werklab tick`, with retries and backoff when SMTP fails.
"""

from __future__ import annotations

import base64
import enum
import importlib
import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import event, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from werklab.db import Base, begin_write, enum_type, utcnow
from werklab.extensions import db
from werklab.mail_headers import (
    MAIL_POLICY,
    address_header,
    addresses_header,
    check_address,
    clean_text,
    parse_mailboxes,
)

log = logging.getLogger("werklab.mail")

#: A mail stuck in "sending" this long (the sender died) is queued again.
STALE_CLAIM = timedelta(minutes=10)
#: The address an erased registration keeps (see participant/erasure.py); .invalid can never
#: receive mail (RFC 2606), and queue_mail never tries.
ERASED_DOMAIN = "gewist.invalid"
MAX_BACKOFF = timedelta(hours=6)


class MailStatus(enum.Enum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"  # refused for good by the receiving server


class OutboxMail(Base):
    __tablename__ = "mail_outbox"
    __table_args__ = (sa.Index("ix_mail_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    to_addr: Mapped[str] = mapped_column(sa.String(254))
    #: A display name: a registration's first and last name (100 each) and a space fit.
    to_name: Mapped[str] = mapped_column(sa.String(300), default="")
    subject: Mapped[str] = mapped_column(sa.String(300))
    #: The bodies; empty until sent for a mail queued with `context_later` (see `render`).
    body_text: Mapped[str | None] = mapped_column(sa.Text)
    body_html: Mapped[str | None] = mapped_column(sa.Text)
    #: A mail rendered when it is sent: {"template", "context": "werklab.module:function",
    #: "args"}; the function returns the template's context. The bodies are kept once made.
    render: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON(none_as_null=True))
    #: The recipient's language, for a mail rendered when it is sent.
    locale: Mapped[str] = mapped_column(sa.String(10), default="nl", server_default="nl")
    #: [{"filename", "content_type", "data" (base64)}]
    attachments: Mapped[list[dict[str, str]]] = mapped_column(sa.JSON, default=list)
    #: What the mail is about, e.g. "registration.confirmed", for tests and support.
    kind: Mapped[str] = mapped_column(sa.String(100), default="")
    #: Where a reply goes, as [[name, address], ...]; None: MAIL_REPLY_TO, or else the
    #: coordinators (see reply_to_mailboxes).
    reply_to: Mapped[list[list[str]] | None] = mapped_column(sa.JSON(none_as_null=True))
    status: Mapped[MailStatus] = mapped_column(
        enum_type(MailStatus, "mail_status"), default=MailStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.String(500))


def queue_mail(
    to: str,
    subject: Any,
    template: str,
    *,
    to_name: str = "",
    locale: str = "nl",
    kind: str = "",
    reply_to: list[tuple[str, str]] | None = None,
    attachments: list[tuple[str, str, bytes]] | None = None,
    attachments_later: list[tuple[str, dict]] | None = None,
    context_later: tuple[str, dict] | None = None,
    now: datetime | None = None,
    **context: Any,
) -> int:
    """Render `template` (mail/<template>.txt and .html) and queue it in this transaction.

    `subject` may be a lazy string: it is rendered in the recipient's `locale`.
    `reply_to` [(name, address)]: who a reply reaches, when not the usual address
    (MAIL_REPLY_TO, or the coordinators): e.g. the person who asked, in a notice to staff.
    `attachments_later` are ("module:function", arguments) pairs called when the mail is
    sent, returning (filename, content type, bytes): for attachments that are slow to make
    (a PDF), so that they do not lengthen the transaction or a lock held in it.
    `context_later` ("module:function", arguments) defers the bodies in the same way: the
    function returns the template's context when the mail is sent, and the bodies are then
    kept with the mail. The registration mails use it, so that a registration (which holds
    the programme lock) does not spend its time in templates. Returns the mail's id, or 0
    when `to` is the address of an erased person (nothing is queued).
    """
    if to.endswith("@" + ERASED_DOMAIN):
        return 0
    with force_locale(locale):
        subject_text = str(subject)
    if context_later is None:
        body_text, body_html = _render(template, locale, context)
        render = None
    else:
        body_text = body_html = None
        target, args = context_later
        render = {"template": template, "context": target, "args": args}
    # A plain INSERT: no ORM object is needed for a row that is written once here.
    mail_id = db.session.execute(
        _INSERT,
        {
            "to_addr": to,
            "to_name": to_name,
            "subject": subject_text[:300],
            "body_text": body_text,
            "body_html": body_html,
            "render": render,
            "locale": locale,
            "kind": kind,
            "reply_to": [[name, addr] for name, addr in reply_to] if reply_to else None,
            "attachments": [
                {
                    "filename": name,
                    "content_type": ctype,
                    "data": base64.b64encode(data).decode("ascii"),
                }
                for name, ctype, data in (attachments or [])
            ]
            + [{"render": target, "args": args} for target, args in (attachments_later or [])],
            "created_at": now or utcnow(),
            "next_attempt_at": now or utcnow(),
        },
    ).scalar_one()
    db.session.info.setdefault("werklab_mail_pending", []).append(mail_id)
    return mail_id


_INSERT = sa.insert(OutboxMail.__table__).returning(OutboxMail.__table__.c.id)


@event.listens_for(Session, "after_commit")
def _remember_committed_mail(session: Session) -> None:
    pending = session.info.pop("werklab_mail_pending", None)
    if pending:
        session.info.setdefault("werklab_mail_committed", []).extend(pending)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_mail(session: Session) -> None:
    session.info.pop("werklab_mail_pending", None)


def deliver_committed() -> int:
    """Send the mails queued by this request's committed transaction (inline delivery)."""
    ids = db.session.info.pop("werklab_mail_committed", None)
    if not ids or current_app.config["MAIL_DELIVERY"] != "inline":
        return 0
    return deliver_due(ids=ids)


#: app.extensions key of a function returning the default Reply-To mailboxes [(name, addr)]
#: (the app sets it to the active coordinators; see werklab.create_app).
REPLY_TO_EXTENSION = "werklab_mail_reply_to"


def reply_to_mailboxes(mail) -> list[tuple[str, str]]:
    """Who a reply to `mail` reaches: its own reply_to, else MAIL_REPLY_TO, else the
    coordinators. Never only the no-reply sender."""
    if mail.reply_to:
        return [(name, addr) for name, addr in mail.reply_to]
    configured = parse_mailboxes(current_app.config.get("MAIL_REPLY_TO") or "")
    if configured:
        return configured
    provider = current_app.extensions.get(REPLY_TO_EXTENSION)
    return list(provider()) if provider else []


def _is_address(addr: str) -> bool:
    try:
        check_address(addr)
    except ValueError:
        return False
    return True


def sender_mailbox(configured: str | None = None) -> tuple[str, str]:
    """(name, address) of `configured`, by default MAIL_DEFAULT_SENDER."""
    configured = configured or current_app.config["MAIL_DEFAULT_SENDER"]
    mailboxes = parse_mailboxes(configured)
    if len(mailboxes) != 1:
        raise ValueError(f"MAIL_DEFAULT_SENDER must be one address: {configured!r}")
    return mailboxes[0]


def build_message(
    mail, sender: str | None = None, bodies: tuple[str, str] | None = None
) -> EmailMessage:
    """The message for a queued mail, from `sender` (by default MAIL_DEFAULT_SENDER).

    Every address header is made by mail_headers, so a name can never add a recipient or
    break a header; ValueError when an address is not one mailbox."""
    msg = EmailMessage(policy=MAIL_POLICY)
    sender_name, sender_addr = sender_mailbox(sender)
    msg["From"] = address_header(sender_name, sender_addr, header="From")
    msg["To"] = address_header(mail.to_name, mail.to_addr, header="To")
    # A Reply-To that is not one good address is left out, never a reason to lose the mail.
    reply_to = [
        (name, addr)
        for name, addr in reply_to_mailboxes(mail)
        if _is_address(addr) and addr.lower() != sender_addr.lower()
    ]
    if reply_to:
        msg["Reply-To"] = addresses_header(reply_to, header="Reply-To")
    msg["Subject"] = clean_text(mail.subject)
    msg["Message-ID"] = make_msgid(domain="werklab")
    body_text, body_html = bodies or render_bodies(mail)
    msg.set_content(body_text)
    msg.add_alternative(body_html, subtype="html")
    for attachment in mail.attachments or []:
        if "render" in attachment:
            filename, content_type, data = _render_attachment(attachment)
        else:
            filename, content_type = attachment["filename"], attachment["content_type"]
            data = base64.b64decode(attachment["data"])
        maintype, _, subtype = content_type.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=clean_text(filename))
    return msg


def _renderer(target: str):
    """The function behind a "werklab.module:function" stored with a queued mail."""
    module_name, _, function = target.partition(":")
    if not module_name.startswith("werklab."):
        raise ValueError(f"not a mail renderer: {target}")
    return getattr(importlib.import_module(module_name), function)


def _render_attachment(attachment: dict) -> tuple[str, str, bytes]:
    """Make an attachment queued with attachments_later."""
    return _renderer(attachment["render"])(**attachment["args"])


def render_bodies(mail) -> tuple[str, str]:
    """The plain-text and HTML bodies of a queued mail, rendered now if it was queued with
    `context_later`. Raises LookupError when what the mail is about is gone."""
    if mail.render is None or mail.body_text is not None:
        return mail.body_text or "", mail.body_html or ""
    spec = mail.render
    context = _renderer(spec["context"])(**spec["args"])
    return _render(spec["template"], mail.locale or "nl", context)


def _render(template: str, locale: str, context: dict) -> tuple[str, str]:
    """mail/<template>.txt and .html in the recipient's language."""
    with force_locale(locale):
        return (
            render_template(f"mail/{template}.txt", **context),
            render_template(f"mail/{template}.html", **context),
        )


def _send(msg: EmailMessage, recipient: str) -> None:
    """Deliver `msg` to `recipient` only: the envelope never comes from a header."""
    cfg = current_app.config
    backend = cfg["MAIL_BACKEND"]
    if backend == "log":
        log.info("mail (not sent, MAIL_BACKEND=log):\n%s", msg.as_string())
        return
    smtp_cls = smtplib.SMTP_SSL if cfg["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_cls(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg["MAIL_TIMEOUT"]) as smtp:
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls()
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
        smtp.send_message(
            msg, from_addr=check_address(sender_mailbox()[1]), to_addrs=[check_address(recipient)]
        )


def backoff(attempts: int) -> timedelta:
    """Wait 1, 2, 4, ... minutes between attempts, at most six hours."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


@dataclass(frozen=True)
class _Claimed:
    """What is needed to send a claimed mail, read before its claim is committed."""

    id: int
    to_addr: str
    to_name: str
    subject: str
    body_text: str | None
    body_html: str | None
    attachments: list
    render: dict | None
    locale: str
    reply_to: list | None


def _claim(mail_id: int, now: datetime) -> _Claimed | None:
    """Mark one due mail as being sent; other workers skip it (SKIP LOCKED on PostgreSQL).
    Leaves no transaction open."""
    begin_write(db.session)
    mail = db.session.execute(
        select(OutboxMail)
        .where(
            OutboxMail.id == mail_id,
            OutboxMail.status == MailStatus.QUEUED,
            OutboxMail.next_attempt_at <= now,
        )
        .with_for_update(skip_locked=True)
    ).scalar_one_or_none()
    if mail is None:
        db.session.rollback()
        return None
    mail.attempts += 1
    mail.status = MailStatus.SENDING
    mail.claimed_at = now
    claimed = _Claimed(
        mail.id,
        mail.to_addr,
        mail.to_name,
        mail.subject,
        mail.body_text,
        mail.body_html,
        list(mail.attachments or []),
        mail.render,
        mail.locale,
        mail.reply_to,
    )
    db.session.commit()
    return claimed


def _finish(
    mail_id: int,
    now: datetime,
    error: str | None,
    *,
    permanent: bool = False,
    bodies: tuple[str, str] | None = None,
) -> None:
    begin_write(db.session)
    mail = db.session.get(OutboxMail, mail_id, populate_existing=True)
    if bodies is not None and mail.body_text is None:
        mail.body_text, mail.body_html = bodies  # rendered at sending: kept with the mail
    if error is None:
        mail.status, mail.sent_at, mail.last_error = MailStatus.SENT, utcnow(), None
    else:
        log.warning("mail %s not delivered (attempt %s): %s", mail_id, mail.attempts, error)
        mail.status = MailStatus.FAILED if permanent else MailStatus.QUEUED
        mail.next_attempt_at = now + backoff(mail.attempts)
        mail.last_error = error[:500]
    db.session.commit()


def deliver_due(
    *, ids: list[int] | None = None, now: datetime | None = None, limit: int = 200
) -> int:
    """Send due mails one by one, outside any transaction; return how many went out.

    Building a mail (a PDF attachment, say) happens after its claim is committed, so no
    lock is held meanwhile.
    """
    if current_app.config["MAIL_BACKEND"] == "null":
        return 0
    now = now or utcnow()
    query = (
        select(OutboxMail.id)
        .where(OutboxMail.status == MailStatus.QUEUED, OutboxMail.next_attempt_at <= now)
        .order_by(OutboxMail.id)
        .limit(limit)
    )
    if ids is not None:
        query = query.where(OutboxMail.id.in_(ids))
    candidates = list(db.session.execute(query).scalars())
    db.session.rollback()
    sent = 0
    for mail_id in candidates:
        claimed = _claim(mail_id, now)
        if claimed is None:
            continue
        try:
            bodies = render_bodies(claimed)
            message = build_message(claimed, bodies=bodies)
        # A line break in a header, or what the mail is about is gone: never sendable.
        except (ValueError, TypeError, LookupError) as exc:
            db.session.rollback()
            log.error("mail %s cannot be built: %s", mail_id, exc)
            _finish(mail_id, now, f"cannot build: {exc}", permanent=True)
            continue
        except Exception as exc:  # e.g. the database was briefly away: try again later
            db.session.rollback()
            _finish(mail_id, now, f"cannot build: {type(exc).__name__}: {exc}")
            continue
        db.session.rollback()  # end the read transaction of attachments made now
        error: str | None = None
        permanent = False
        try:
            _send(message, claimed.to_addr)
        except smtplib.SMTPRecipientsRefused as exc:
            error, permanent = f"refused: {exc.recipients}", True
        except Exception as exc:  # any failure: keep the mail queued, never fail the request
            error = f"{type(exc).__name__}: {exc}"
        _finish(
            mail_id,
            now,
            error,
            permanent=permanent,
            bodies=bodies,
        )
        sent += error is None
    return sent


def failed_mails(*, since: datetime, limit: int = 50) -> list[OutboxMail]:
    """Mails refused or unbuildable for good since `since`, newest first: the coordinators'
    overview shows them, so that nobody waits for a mail that will never come."""
    return list(
        db.session.execute(
            select(OutboxMail)
            .where(OutboxMail.status == MailStatus.FAILED, OutboxMail.created_at >= since)
            .order_by(OutboxMail.id.desc())
            .limit(limit)
        ).scalars()
    )


def requeue_stale(now: datetime | None = None) -> int:
    """Queue again mails whose sender died while sending them."""
    now = now or utcnow()
    begin_write(db.session)
    result = db.session.execute(
        sa.update(OutboxMail)
        .where(
            OutboxMail.status == MailStatus.SENDING,
            OutboxMail.claimed_at < now - STALE_CLAIM,
        )
        .values(status=MailStatus.QUEUED, next_attempt_at=now)
    )
    db.session.commit()
    return result.rowcount or 0
