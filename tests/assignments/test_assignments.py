"""Assignments and hand-ins: uploads (size, type, names), access, versions, feedback,
overview and the reminder job."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime

from tests.access.test_matrix import client_for
from tests.conftest import csrf_from, outbox
from werklab.accounts import services as accounts
from werklab.assignments import services
from werklab.assignments.models import AssignmentReminder, Submission, SubmissionFile
from werklab.assignments.services import AssignmentData, Upload
from werklab.audit import AuditEntry
from werklab.db import utcnow
from werklab.extensions import db
from werklab.groups.models import HomeworkGroup, HomeworkGroupMember
from werklab.jobs import tick

PDF = b"%PDF-1.4\n% test\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
MB10 = 10 * 1024 * 1024


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def make_group(programme, registrations, name):
    """A homework group with these members (the groups part owns composition)."""
    group = HomeworkGroup(programme_id=programme.id, name=name, round=1)
    db.session.add(group)
    db.session.flush()
    for r in registrations:
        db.session.add(HomeworkGroupMember(group_id=group.id, registration_id=r.id, round=1))
    db.session.flush()
    db.session.refresh(group)
    return group


@pytest.fixture(autouse=True)
def _uploads(app, tmp_path):
    old = app.config["UPLOAD_FOLDER"]
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    yield tmp_path / "uploads"
    app.config["UPLOAD_FOLDER"] = old


@pytest.fixture
def setup(factories):
    now = utcnow()
    programme = factories.programme()
    trainer = accounts.create_user("trainer@example.nl", "Tess Trainer", trainer=True, actor="test")
    other_trainer = accounts.create_user("t2@example.nl", "Otto", trainer=True, actor="test")
    programme.trainers.append(trainer)
    regs = [factories.registration(programme, email=f"p{i}@example.nl") for i in range(6)]
    users = [accounts.create_user(f"p{i}@example.nl", f"P {i}", actor="test") for i in range(6)]
    group_1 = make_group(programme, regs[:3], "Groep 1")
    group_2 = make_group(programme, regs[3:], "Groep 2")
    assignment = services.create_assignment(
        programme,
        AssignmentData("Casus", "Beschrijf een initiatief.", now + timedelta(days=10)),
        actor="test",
        now=now,
    )
    db.session.commit()
    return dict(
        programme=programme,
        trainer=trainer,
        other_trainer=other_trainer,
        users=users,
        groups=(group_1, group_2),
        assignment=assignment,
        now=now,
    )


def post_submission(app, user, assignment, group, files, text=""):
    client = client_for(app, user)
    url = f"/opdrachten/{assignment.id}/groep/{group.id}"
    token = csrf_from(client.get(url).get_data(as_text=True))
    data = {"csrf_token": token, "text": text, "files": files}
    return client.post(url + "/inleveren", data=data, content_type="multipart/form-data")


def test_member_hands_in_a_file_and_downloads_it_as_attachment(app, setup, _uploads):
    s = setup
    response = post_submission(
        app, s["users"][0], s["assignment"], s["groups"][0], [(io.BytesIO(PDF), "plan.pdf")]
    )
    assert response.status_code == 302
    sub = db.session.query(Submission).one()
    stored = sub.files[0]
    assert stored.original_name == "plan.pdf"
    assert stored.stored_name != "plan.pdf" and len(stored.stored_name) == 32
    assert (_uploads / stored.stored_name).read_bytes() == PDF
    for user in (s["users"][1], s["trainer"]):
        r = client_for(app, user).get(f"/inleveringen/bestand/{stored.id}")
        assert r.status_code == 200
        assert r.data == PDF
        assert r.headers["Content-Disposition"].startswith("attachment")
        assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert db.session.query(AuditEntry).filter_by(action="submission.created").count() == 1


def test_one_byte_over_ten_megabytes_gives_the_dutch_413_page(app, setup):
    s = setup
    big = b"%PDF-" + b"0" * (MB10 + 1 - 5)
    response = post_submission(
        app, s["users"][0], s["assignment"], s["groups"][0], [(io.BytesIO(big), "groot.pdf")]
    )
    assert response.status_code == 413
    assert "Te groot" in response.get_data(as_text=True)
    assert db.session.query(Submission).count() == 0


def test_exactly_ten_megabytes_is_accepted(app, setup):
    s = setup
    data = b"%PDF-" + b"0" * (MB10 - 5)
    response = post_submission(
        app, s["users"][0], s["assignment"], s["groups"][0], [(io.BytesIO(data), "net.pdf")]
    )
    assert response.status_code == 302


def test_a_disallowed_type_gets_a_clear_message(app, setup, _uploads):
    s = setup
    response = post_submission(
        app, s["users"][0], s["assignment"], s["groups"][0], [(io.BytesIO(b"MZ\x90"), "virus.exe")]
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "virus.exe" in html and "pdf, docx, xlsx, pptx, odt, png, jpg" in html
    assert db.session.query(Submission).count() == 0
    assert not _uploads.exists() or not any(_uploads.iterdir())


def test_a_file_whose_content_does_not_match_its_extension_is_refused(app, setup):
    s = setup
    response = post_submission(
        app,
        s["users"][0],
        s["assignment"],
        s["groups"][0],
        [(io.BytesIO(b"<html><script>alert(1)</script>"), "verslag.pdf")],
    )
    assert response.status_code == 400
    assert db.session.query(Submission).count() == 0


def test_office_files_are_checked_inside_the_zip(setup):
    assert services.file_kind("a.docx", docx_bytes()) == "docx"
    with pytest.raises(services.ValidationError):
        services.file_kind("a.xlsx", docx_bytes())  # a docx renamed
    with pytest.raises(services.ValidationError):
        services.file_kind("a.docx", b"PK\x03\x04not a zip")


def test_a_path_in_the_filename_is_harmless(app, setup, _uploads):
    s = setup
    response = post_submission(
        app, s["users"][0], s["assignment"], s["groups"][0], [(io.BytesIO(PNG), "../../app.png")]
    )
    assert response.status_code == 302
    stored = db.session.query(Submission).one().files[0]
    assert stored.original_name == "app.png"
    assert [p.name for p in _uploads.iterdir()] == [stored.stored_name]
    # and a name like ../../app.py is simply not an allowed type
    response = post_submission(
        app,
        s["users"][0],
        s["assignment"],
        s["groups"][0],
        [(io.BytesIO(b"import os"), "../../app.py")],
    )
    assert response.status_code == 400
    assert "app.py" in response.get_data(as_text=True)
    assert "../" not in response.get_data(as_text=True).split("app.py")[0][-10:]


def test_a_hand_in_that_rolls_back_leaves_no_file_behind(setup, _uploads):
    assignment, group = setup["assignment"], setup["groups"][0]
    services.submit(assignment, group, "", [Upload("verslag.pdf", PDF)], user_id=None)
    assert len(list(_uploads.iterdir())) == 1
    db.session.rollback()
    assert list(_uploads.iterdir()) == []
    services.submit(assignment, group, "", [Upload("verslag.pdf", PDF)], user_id=None)
    db.session.commit()
    [kept] = _uploads.iterdir()
    assert kept.read_bytes() == PDF
    assert db.session.query(SubmissionFile).one().stored_name == kept.name


def test_clean_filename():
    assert services.clean_filename("../../app.py") == "app.py"
    assert services.clean_filename("..\\..\\win.pdf") == "win.pdf"
    assert services.clean_filename('a<b>"c\x00.pdf') == "abc.pdf"
    assert services.clean_filename("...") == "bestand"


def test_another_groups_work_is_out_of_reach(app, setup):
    s = setup
    post_submission(
        app, s["users"][0], s["assignment"], s["groups"][0], [(io.BytesIO(PDF), "a.pdf")]
    )
    stored = db.session.query(Submission).one().files[0]
    outsider = s["users"][3]  # in group 2
    client = client_for(app, outsider)
    assert client.get(f"/inleveringen/bestand/{stored.id}").status_code == 403
    url = f"/opdrachten/{s['assignment'].id}/groep/{s['groups'][0].id}"
    assert client.get(url).status_code == 403
    assert (
        client_for(app, s["other_trainer"]).get(f"/inleveringen/bestand/{stored.id}").status_code
        == 403
    )
    # and cannot hand in for group 1
    token = csrf_from(
        client.get(f"/opdrachten/{s['assignment'].id}/groep/{s['groups'][1].id}").get_data(
            as_text=True
        )
    )
    r = client.post(url + "/inleveren", data={"csrf_token": token, "text": "x"})
    assert r.status_code == 403


def test_every_hand_in_is_a_new_version_and_feedback_is_per_version(app, setup):
    s = setup
    a, g = s["assignment"], s["groups"][0]
    services.submit(a, g, "Eerste versie", [], user_id=s["users"][0].id, now=s["now"])
    services.submit(
        a, g, "Tweede versie", [Upload("x.pdf", PDF)], user_id=s["users"][1].id, now=s["now"]
    )
    db.session.commit()
    versions = services.versions(a, g)
    assert [v.version for v in versions] == [2, 1]
    assert versions[1].text == "Eerste versie"
    client = client_for(app, s["trainer"])
    page = client.get(f"/opdrachten/{a.id}/groep/{g.id}").get_data(as_text=True)
    token = csrf_from(page)
    r = client.post(
        f"/inleveringen/{versions[1].id}/terugkoppeling",
        data={"csrf_token": token, "feedback": "Goed begin!"},
    )
    assert r.status_code == 302
    db.session.refresh(versions[1])
    assert versions[1].feedback == "Goed begin!" and versions[0].feedback is None
    member_page = (
        client_for(app, s["users"][2])
        .get(f"/opdrachten/{a.id}/groep/{g.id}")
        .get_data(as_text=True)
    )
    assert "Goed begin!" in member_page and "Eerste versie" in member_page
    with pytest.raises(services.ValidationError):
        services.submit(a, g, "  ", [], user_id=None, now=s["now"])


def test_overview_shows_which_groups_handed_in(app, setup):
    s = setup
    services.submit(s["assignment"], s["groups"][0], "Klaar", [], user_id=None, now=s["now"])
    db.session.commit()
    rows = services.overview(s["assignment"])
    assert [(g.name, bool(latest), n) for g, latest, n in rows] == [
        ("Groep 1", True, 1),
        ("Groep 2", False, 0),
    ]
    html = (
        client_for(app, s["trainer"])
        .get(f"/werkruimte/opdrachten/{s['assignment'].id}")
        .get_data(as_text=True)
    )
    assert "handed-in" in html and "not-handed-in" in html


def test_trainer_creates_and_edits_an_assignment(app, setup):
    s = setup
    client = client_for(app, s["trainer"])
    url = f"/werkruimte/{s['programme'].id}/opdrachten/nieuw"
    token = csrf_from(client.get(url).get_data(as_text=True))
    session_id = s["programme"].sessions[0].id
    r = client.post(
        url,
        data={
            "csrf_token": token,
            "title": "Interview",
            "description": "Spreek een initiatiefnemer.",
            "due_date": "2031-03-01",
            "due_time": "17:00",
            "session_id": str(session_id),
        },
    )
    assert r.status_code == 302
    assignment = services.assignments_of(s["programme"].id)[-1]
    assert assignment.title == "Interview" and assignment.session_id == session_id
    assert assignment.due_at.hour == 16  # 17:00 in Amsterdam (winter) is 16:00 UTC
    edit = f"/werkruimte/opdrachten/{assignment.id}/bewerken"
    token = csrf_from(client.get(edit).get_data(as_text=True))
    r = client.post(
        edit,
        data={
            "csrf_token": token,
            "title": "Interview (2)",
            "description": "",
            "due_date": "2031-03-02",
            "due_time": "17:00",
            "session_id": "",
        },
    )
    assert r.status_code == 302
    db.session.refresh(assignment)
    assert assignment.title == "Interview (2)" and assignment.session_id is None


def test_reminder_goes_out_once_three_days_before_to_groups_that_did_not_hand_in(app, setup):
    s = setup
    a = s["assignment"]
    services.submit(a, s["groups"][0], "Klaar", [], user_id=None, now=s["now"])
    db.session.commit()
    early = a.due_at - timedelta(days=4)
    assert tick(early)["assignment_reminders"] == 0
    when = a.due_at - timedelta(days=3) + timedelta(minutes=1)
    assert tick(when)["assignment_reminders"] == 1
    assert tick(when + timedelta(hours=1))["assignment_reminders"] == 0
    mails = outbox("assignment.reminder")
    assert sorted(m.to_addr for m in mails) == ["p3@example.nl", "p4@example.nl", "p5@example.nl"]
    assert "Casus" in mails[0].subject
    assert db.session.query(AssignmentReminder).count() == 1


def test_participants_see_their_own_groups_assignments_only(app, setup):
    s = setup
    html = client_for(app, s["users"][0]).get("/opdrachten").get_data(as_text=True)
    assert f"/opdrachten/{s['assignment'].id}/groep/{s['groups'][0].id}" in html
    assert f"/groep/{s['groups'][1].id}" not in html
    stranger = accounts.create_user("stranger@example.nl", "S", actor="test")
    db.session.commit()
    html = client_for(app, stranger).get("/opdrachten").get_data(as_text=True)
    assert "/groep/" not in html


def test_feedback_and_assignment_changes_leave_audit_rows(setup):
    s = setup
    sub = services.submit(s["assignment"], s["groups"][0], "Tekst", [], user_id=None, now=s["now"])
    services.give_feedback(sub, "Prima", actor_id=s["trainer"].id, now=s["now"])
    actions = {a for (a,) in db.session.query(AuditEntry.action)}
    assert {"assignment.created", "submission.created", "submission.feedback"} <= actions


def test_the_groups_hear_of_a_new_assignment_and_of_a_moved_due_date(app, setup):
    s = setup
    a, (group_1, group_2) = s["assignment"], s["groups"]
    mails = outbox("messages.assignment_new")
    assert sorted(m.to_addr for m in mails) == [f"p{i}@example.nl" for i in range(6)]
    due = a.due_at.replace(tzinfo=UTC).astimezone(ZoneInfo("Europe/Amsterdam"))
    for mail in mails:
        group = (
            group_1
            if mail.to_addr in ("p0@example.nl", "p1@example.nl", "p2@example.nl")
            else group_2
        )
        assert mail.subject == "Nieuwe opdracht: Casus"
        assert f"voor {group.name}: Casus" in mail.body_text
        when = format_datetime(due, "EEEE d MMMM y, HH:mm", locale="nl")
        assert f"uiterlijk {when} in." in mail.body_text  # in Dutch time
        link = f"http://werklab.test/opdrachten/{a.id}/groep/{group.id}"
        assert link in mail.body_text and link in mail.body_html
    # The member opens the link (signed in) and sees the assignment.
    page = client_for(app, s["users"][0]).get(f"/opdrachten/{a.id}/groep/{group_1.id}")
    assert page.status_code == 200 and "Casus" in page.get_data(as_text=True)
    # A new title alone is no news; a new due date is.
    services.update_assignment(
        a, AssignmentData("Casus (2)", a.description, a.due_at), actor="test", now=s["now"]
    )
    assert outbox("messages.assignment_due_moved") == []
    later = a.due_at + timedelta(days=7)
    services.update_assignment(
        a, AssignmentData(a.title, a.description, later), actor="test", now=s["now"]
    )
    mails = outbox("messages.assignment_due_moved")
    assert len(mails) == 6
    assert mails[0].subject == "Nieuwe inleverdatum voor Casus (2)"
    assert "is veranderd: lever de opdracht uiterlijk" in mails[0].body_text


def test_the_assignment_notice_reads_the_groups_in_a_fixed_number_of_statements(
    factories, count_queries
):
    """However many groups and members, the notice reads them in the same few SELECTs (it
    read each group's members, and each member, one at a time)."""
    counts = []
    for sizes in ((2, 2), (4, 4, 4)):
        programme = factories.programme(max_participants=15)
        people = factories.fill(programme, sum(sizes))
        start = 0
        for number, size in enumerate(sizes, 1):
            make_group(programme, people[start : start + size], f"Groep {number}")
            start += size
        db.session.commit()
        db.session.expire_all()
        due = utcnow() + timedelta(days=10)
        with count_queries() as statements:
            services.create_assignment(
                programme, AssignmentData("Casus", "", due), actor="test", now=utcnow()
            )
        # One mail is one INSERT into the outbox; the reads stay the same.
        counts.append(sum(s.lstrip().upper().startswith("SELECT") for s in statements))
        mails = [
            m for m in outbox("messages.assignment_new") if m.to_addr in {p.email for p in people}
        ]
        assert len(mails) == sum(sizes)
    assert counts[0] == counts[1], counts


def test_postponing_the_due_date_allows_a_new_reminder(setup):
    s = setup
    a = s["assignment"]
    when = a.due_at - timedelta(days=2)
    assert tick(when)["assignment_reminders"] == 2
    data = AssignmentData(a.title, a.description, a.due_at + timedelta(days=7))
    services.update_assignment(a, data, actor="test", now=when)
    db.session.commit()
    assert tick(a.due_at - timedelta(days=2))["assignment_reminders"] == 2


def test_two_hand_ins_as_one_version_give_a_clear_message(setup, monkeypatch):
    s = setup
    services.submit(s["assignment"], s["groups"][0], "Eerste", [], user_id=None, now=s["now"])
    # Simulate the race: the other request read the same highest version.
    monkeypatch.setattr(services, "_latest_version", lambda a, g: 0)
    with pytest.raises(services.DomainError, match="hetzelfde moment"):
        services.submit(s["assignment"], s["groups"][0], "Tweede", [], user_id=None, now=s["now"])
    assert len(services.versions(s["assignment"], s["groups"][0])) == 1
