"""Assignments and submissions: create and edit assignments, hand in (versioned, with
files checked by extension and content), give feedback, remind groups before the due date.
"""

from __future__ import annotations

import io
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import BinaryIO

import sqlalchemy as sa
from blinker import Namespace
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from werklab import audit, storage
from werklab.assignments.models import (
    Assignment,
    AssignmentReminder,
    Submission,
    SubmissionFile,
)
from werklab.catalog.dates import check_due
from werklab.catalog.models import Programme
from werklab.db import begin_write, utcnow
from werklab.errors import DomainError, ValidationError
from werklab.extensions import db
from werklab.groups.models import HomeworkGroup, HomeworkGroupMember
from werklab.mail import queue_mail
from werklab.registration.models import Registration
from werklab.translation import gettext as _
from werklab.translation import lazy_gettext as _l

#: At most this many bytes per file; one byte more is refused with the 413 page.
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
#: Groups that have not handed in hear from us this long before the due date.
REMINDER_BEFORE = timedelta(days=3)

_OOXML = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
}
ALLOWED_LABEL = "pdf, docx, xlsx, pptx, odt, png, jpg"


#: A trainer gave feedback on a hand-in: sender the submission, with actor_id and now.
feedback_given = Namespace().signal("submission-feedback-given")
#: An assignment was added, or its due date moved (sender: the Assignment; new=, now=):
#: the messages area tells the homework groups.
assignment_set = Namespace().signal("assignment-set")


class FileTooLarge(ValidationError):
    """A file is over MAX_FILE_BYTES: the view answers with the 413 page."""

    status_code = 413


@dataclass
class AssignmentData:
    title: str
    description: str
    due_at: datetime  # naive UTC
    session_id: int | None = None


@dataclass
class Upload:
    """A file as it came in: the name the browser sent and its bytes."""

    filename: str
    data: bytes


# --- groups (the homework-groups part of this area owns them) ---------------------------------


def groups_of(programme_id: int, *, with_members: bool = False) -> list[HomeworkGroup]:
    """The programme's current homework groups (those of its latest round); `with_members`
    reads their members in the same go (two statements, however many groups), for callers
    that go through every member."""
    latest = (
        select(sa.func.max(HomeworkGroup.round))
        .where(HomeworkGroup.programme_id == programme_id)
        .scalar_subquery()
    )
    query = (
        select(HomeworkGroup)
        .where(HomeworkGroup.programme_id == programme_id, HomeworkGroup.round == latest)
        .order_by(HomeworkGroup.name, HomeworkGroup.id)
    )
    if with_members:
        query = query.options(
            selectinload(HomeworkGroup.memberships).selectinload(HomeworkGroupMember.registration)
        )
    return list(db.session.execute(query).scalars())


def members_of(group: HomeworkGroup) -> list[Registration]:
    """The registrations in a group (adapter: one place that knows the membership model)."""
    return list(group.members)


def load_group(group_id: int) -> HomeworkGroup | None:
    return db.session.get(HomeworkGroup, group_id)


# --- loading ------------------------------------------------------------------------------------


def load_programme(programme_id: int) -> Programme | None:
    return db.session.get(Programme, programme_id)


def load_assignment(assignment_id: int) -> Assignment | None:
    return db.session.get(Assignment, assignment_id)


def load_submission(submission_id: int) -> Submission | None:
    return db.session.get(Submission, submission_id)


def load_file(file_id: int) -> SubmissionFile | None:
    return db.session.get(SubmissionFile, file_id)


def assignments_of(programme_id: int) -> list[Assignment]:
    return list(
        db.session.execute(
            select(Assignment)
            .where(Assignment.programme_id == programme_id)
            .order_by(Assignment.due_at, Assignment.id)
        ).scalars()
    )


def versions(assignment: Assignment, group: HomeworkGroup) -> list[Submission]:
    """Every hand-in of a group for an assignment, newest first."""
    return list(
        db.session.execute(
            select(Submission)
            .where(Submission.assignment_id == assignment.id, Submission.group_id == group.id)
            .order_by(Submission.version.desc())
        ).scalars()
    )


def overview(assignment: Assignment) -> list[tuple[HomeworkGroup, Submission | None, int]]:
    """Per group: its latest hand-in (or None) and how many versions there are."""
    latest = {}
    counts: dict[int, int] = {}
    for sub in db.session.execute(
        select(Submission)
        .where(Submission.assignment_id == assignment.id)
        .order_by(Submission.version)
    ).scalars():
        latest[sub.group_id] = sub
        counts[sub.group_id] = counts.get(sub.group_id, 0) + 1
    return [(g, latest.get(g.id), counts.get(g.id, 0)) for g in groups_of(assignment.programme_id)]


def groups_of_person(email_normalized: str) -> list[HomeworkGroup]:
    """The groups in which someone with this e-mail address is a member."""
    registration_ids = set(
        db.session.execute(
            select(Registration.id).where(Registration.email_normalized == email_normalized)
        ).scalars()
    )
    if not registration_ids:
        return []
    programme_ids = set(
        db.session.execute(
            select(Registration.programme_id).where(Registration.id.in_(registration_ids))
        ).scalars()
    )
    return [
        g
        for pid in sorted(programme_ids)
        for g in groups_of(pid, with_members=True)
        if any(r.id in registration_ids for r in members_of(g))
    ]


# --- assignments --------------------------------------------------------------------------------


def _check_data(programme: Programme, data: AssignmentData) -> None:
    if data.session_id is not None and data.session_id not in {s.id for s in programme.sessions}:
        raise ValidationError(_("Choose a session of this programme."))


def create_assignment(
    programme: Programme, data: AssignmentData, *, actor: str, now: datetime | None = None
) -> Assignment:
    """Add an assignment to a programme."""
    now = now or utcnow()
    _check_data(programme, data)
    check_due(data.due_at, now=now)
    assignment = Assignment(
        programme_id=programme.id,
        title=data.title,
        description=data.description,
        due_at=data.due_at,
        session_id=data.session_id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(assignment)
    db.session.flush()
    audit.record("assignment.created", assignment, actor=actor, now=now, title=data.title)
    assignment_set.send(assignment, new=True, now=now)
    return assignment


def update_assignment(
    assignment: Assignment, data: AssignmentData, *, actor: str, now: datetime | None = None
) -> Assignment:
    """Change an assignment's title, description, due date or session."""
    now = now or utcnow()
    _check_data(assignment.programme, data)
    check_due(data.due_at, now=now, previous_due=assignment.due_at)
    moved = data.due_at != assignment.due_at
    assignment.title = data.title
    assignment.description = data.description
    assignment.session_id = data.session_id
    if data.due_at > assignment.due_at:
        # Postponed: the groups get a reminder before the new due date too.
        db.session.execute(
            sa.delete(AssignmentReminder).where(AssignmentReminder.assignment_id == assignment.id)
        )
    assignment.due_at = data.due_at
    assignment.updated_at = now
    db.session.flush()
    audit.record("assignment.updated", assignment, actor=actor, now=now, title=data.title)
    if moved:
        assignment_set.send(assignment, new=False, now=now)
    return assignment


# --- files --------------------------------------------------------------------------------------

_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f<>:\"/\\|?*]")


def clean_filename(name: str) -> str:
    """The last path part of a browser's file name, without control or path characters;
    only ever shown and offered as download name, never used to store the file."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = _UNSAFE_NAME.sub("", name).strip().lstrip(".").strip()
    if len(name) > 150:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 150 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 8 else name[:150]
    return name or "bestand"


def file_kind(filename: str, data: bytes) -> str:
    """The file's type from its extension, confirmed by its content; ValidationError if the
    type is not allowed or the content does not match the extension."""
    ext = filename.rpartition(".")[2].lower() if "." in filename else ""
    if ext not in CONTENT_TYPES:
        raise ValidationError(
            _(
                "%(name)s cannot be handed in: only %(types)s files are allowed.",
                name=clean_filename(filename),
                types=ALLOWED_LABEL,
            )
        )
    if not _content_matches(ext, data):
        raise ValidationError(
            _(
                "%(name)s is not a real %(ext)s file. Save it again as %(ext)s and retry.",
                name=clean_filename(filename),
                ext=ext,
            )
        )
    return ext


def _content_matches(ext: str, data: bytes) -> bool:
    if ext == "pdf":
        return data.startswith(b"%PDF-")
    if ext == "png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    if ext in {"jpg", "jpeg"}:
        return data.startswith(b"\xff\xd8\xff")
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if ext == "odt":
                return (
                    "mimetype" in names
                    and archive.read("mimetype").strip() == CONTENT_TYPES["odt"].encode()
                )
            return "[Content_Types].xml" in names and any(n.startswith(_OOXML[ext]) for n in names)
    except (zipfile.BadZipFile, KeyError, ValueError):
        return False


def open_file(stored: SubmissionFile) -> BinaryIO:
    """The stored bytes of a handed-in file, from whichever machine or database keeps them
    (werklab.storage); FileNotFoundError when they are gone."""
    return storage.open_file(stored.stored_name)


def read_file(stored: SubmissionFile) -> bytes | None:
    """The bytes of a handed-in file, or None when they are gone (e.g. for an export)."""
    try:
        with open_file(stored) as fh:
            return fh.read()
    except FileNotFoundError:
        return None


def check_uploads(uploads: list[Upload]) -> list[tuple[Upload, str]]:
    """Check every file before anything is written; return (upload, extension) pairs."""
    uploads = [u for u in uploads if u.filename or u.data]
    if len(uploads) > MAX_FILES:
        raise ValidationError(_("Hand in at most %(n)d files at a time.", n=MAX_FILES))
    checked = []
    for upload in uploads:
        if len(upload.data) > MAX_FILE_BYTES:
            raise FileTooLarge(_("A file can be at most 10 MB."))
        if not upload.data:
            raise ValidationError(_("%(name)s is empty.", name=clean_filename(upload.filename)))
        checked.append((upload, file_kind(upload.filename, upload.data)))
    return checked


# --- hand in and feedback -----------------------------------------------------------------------


def submit(
    assignment: Assignment,
    group: HomeworkGroup,
    text: str,
    uploads: list[Upload],
    *,
    user_id: int | None,
    now: datetime | None = None,
) -> Submission:
    """Hand in a new version for a group: text and/or files; earlier versions stay."""
    now = now or utcnow()
    if group.programme_id != assignment.programme_id:
        raise ValidationError(_("This group does not belong to this programme."))
    text = (text or "").strip()
    checked = check_uploads(uploads)
    if not text and not checked:
        raise ValidationError(_("Write something or add a file to hand in."))
    last = _latest_version(assignment, group)
    submission = Submission(
        assignment_id=assignment.id,
        group_id=group.id,
        version=(last or 0) + 1,
        text=text,
        submitted_by_id=user_id,
        created_at=now,
    )
    try:
        # The unique (assignment, group, version) stops two members handing in as one version.
        with db.session.begin_nested():
            db.session.add(submission)
    except IntegrityError:
        raise DomainError(
            _("Someone in your group handed in at the same moment. Please try again.")
        ) from None
    for upload, ext in checked:
        db.session.add(
            SubmissionFile(
                submission_id=submission.id,
                # A random key, never a name the user sent. werklab.storage removes the file
                # again if this transaction rolls back, so a failed hand-in leaves nothing.
                stored_name=storage.save(secrets.token_hex(16), upload.data, CONTENT_TYPES[ext]),
                original_name=clean_filename(upload.filename),
                content_type=CONTENT_TYPES[ext],
                size=len(upload.data),
            )
        )
    db.session.flush()
    audit.record(
        "submission.created",
        submission,
        actor=f"user:{user_id}" if user_id else "system",
        now=now,
        assignment_id=assignment.id,
        group_id=group.id,
        version=submission.version,
        files=len(checked),
    )
    return submission


def _latest_version(assignment: Assignment, group: HomeworkGroup) -> int | None:
    return db.session.execute(
        select(sa.func.max(Submission.version)).where(
            Submission.assignment_id == assignment.id, Submission.group_id == group.id
        )
    ).scalar()


def give_feedback(
    submission: Submission, text: str, *, actor_id: int, now: datetime | None = None
) -> Submission:
    """Write (or rewrite) the trainer's feedback on one version."""
    now = now or utcnow()
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Please write your feedback."))
    submission.feedback = text
    submission.feedback_by_id = actor_id
    submission.feedback_at = now
    db.session.flush()
    audit.record("submission.feedback", submission, actor=f"user:{actor_id}", now=now)
    feedback_given.send(submission, actor_id=actor_id, now=now)
    return submission


# --- reminders (flask werklab tick) -------------------------------------------------------------


def assignments_needing_reminder(now: datetime) -> list[int]:
    """Assignments due within REMINDER_BEFORE and not yet due."""
    return list(
        db.session.execute(
            select(Assignment.id)
            .where(Assignment.due_at > now, Assignment.due_at <= now + REMINDER_BEFORE)
            .order_by(Assignment.id)
        ).scalars()
    )


def lock_assignment(assignment_id: int, *, skip_locked: bool = True) -> Assignment | None:
    """The assignment with its row locked (SKIP LOCKED: None if another machine has it)."""
    return db.session.execute(
        select(Assignment)
        .where(Assignment.id == assignment_id)
        .with_for_update(skip_locked=skip_locked)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def send_reminders(assignment: Assignment, *, now: datetime) -> int:
    """Remind each group that has not handed in, once. MUST hold the assignment's lock."""
    handed_in = set(
        db.session.execute(
            select(Submission.group_id).where(Submission.assignment_id == assignment.id)
        ).scalars()
    )
    reminded = set(
        db.session.execute(
            select(AssignmentReminder.group_id).where(
                AssignmentReminder.assignment_id == assignment.id
            )
        ).scalars()
    )
    base = current_app.config["BASE_URL"].rstrip("/")
    sent = 0
    for group in groups_of(assignment.programme_id, with_members=True):
        if group.id in handed_in or group.id in reminded:
            continue
        db.session.add(
            AssignmentReminder(assignment_id=assignment.id, group_id=group.id, sent_at=now)
        )
        url = f"{base}/opdrachten/{assignment.id}/groep/{group.id}"
        for member in members_of(group):
            queue_mail(
                member.email,
                _l("Reminder: hand in %(title)s", title=assignment.title),
                "groups/assignment_reminder",
                to_name=f"{member.first_name} {member.last_name}",
                locale=member.locale,
                kind="assignment.reminder",
                now=now,
                registration=member,
                assignment=assignment,
                group=group,
                url=url,
            )
        audit.record("assignment.reminded", assignment, actor="system", now=now, group_id=group.id)
        sent += 1
    db.session.flush()
    return sent


def remind_job(now: datetime | None = None) -> int:
    """Job for `flask werklab tick` (it commits): remind groups that have not handed in,
    three days before the due date, once per assignment and group. Each assignment is
    claimed with FOR UPDATE SKIP LOCKED, so several machines never mail twice."""
    now = now or utcnow()
    reminded = 0
    db.session.rollback()
    for assignment_id in assignments_needing_reminder(now):
        db.session.rollback()
        begin_write(db.session)
        assignment = lock_assignment(assignment_id, skip_locked=True)
        if assignment is None:
            db.session.rollback()
            continue
        reminded += send_reminders(assignment, now=now)
        db.session.commit()
    db.session.rollback()
    return reminded
