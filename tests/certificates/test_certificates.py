"""Certificates: eligibility, issuing, the PDF, revoking, verification, and escaping."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from tests.attendance.test_pdf import pdf_text
from tests.certificates.helpers import attend
from tests.conftest import csrf_from, outbox
from tests.workspace.helpers import sign_in, staff, text
from werklab import pdf as attendance_pdf
from werklab.attendance.models import AttendanceStatus
from werklab.audit import AuditEntry
from werklab.certificates import pdf, services
from werklab.certificates.models import Certificate, RuleKind
from werklab.db import utcnow
from werklab.extensions import db
from werklab.mail import build_message
from werklab.registration import services as registration_services

EVIL = '<img src="file:///etc/passwd">'


@pytest.fixture
def trainer(programme):
    user = staff("tineke@example.nl", "Tineke Trainer")
    programme.trainers.append(user)
    db.session.commit()
    return user


@pytest.fixture
def people(programme, factories, trainer):
    """Three participants: all, two and none of the three sessions attended."""
    s = programme.sessions
    all3 = factories.registration(programme, first_name="Alle", last_name="Drie")
    two = factories.registration(programme, first_name="Twee", last_name="Van Drie")
    none = factories.registration(programme, first_name="Geen", last_name="Enkele")
    attend(all3, s, trainer)
    attend(two, s[:2], trainer)
    attend(two, s[2:], trainer, AttendanceStatus.EXCUSED)
    attend(none, s, trainer, AttendanceStatus.ABSENT)
    db.session.commit()
    return all3, two, none


def by_reg(rows):
    return {r.registration.id: r for r in rows}


def test_default_rule_needs_every_session(programme, people):
    all3, two, none = people
    rows = by_reg(services.standings(programme))
    assert rows[all3.id].eligible
    assert not rows[two.id].eligible
    assert rows[two.id].reason == "2 van 3 bijeenkomsten aanwezig"
    assert not rows[none.id].eligible


def test_minimum_and_share_rules(programme, people, trainer):
    all3, two, none = people
    services.set_rule(programme, RuleKind.MINIMUM, minimum_sessions=2, actor=trainer)
    rows = by_reg(services.standings(programme))
    assert [rows[r.id].eligible for r in people] == [True, True, False]
    services.set_rule(programme, RuleKind.SHARE, minimum_percent=34, actor=trainer)
    rows = by_reg(services.standings(programme))  # 34% of 3 → 2 sessions
    assert [rows[r.id].eligible for r in people] == [True, True, False]
    services.set_rule(programme, RuleKind.SHARE, minimum_percent=100, actor=trainer)
    assert [by_reg(services.standings(programme))[r.id].eligible for r in people] == [
        True,
        False,
        False,
    ]


def test_certificates_only_for_eligible_participants(client, programme, people, trainer):
    all3, two, none = people
    sign_in(client, trainer)
    page = client.get(f"/werkruimte/{programme.id}/certificaten")
    assert page.status_code == 200
    assert "2 van 3 bijeenkomsten aanwezig" in text(page)
    # "Issue" first shows who will get a mail; only a confirmation issues.
    url = f"/werkruimte/{programme.id}/certificaten/uitreiken"
    assert f'href="{url}"' in text(page)
    confirm = text(client.get(url))
    assert "Alle Drie" in confirm and all3.email in confirm
    assert "Twee Van Drie" not in confirm and "Geen Enkele" not in confirm
    assert outbox("certificate.issued") == []
    unconfirmed = client.post(url, data={"csrf_token": csrf_from(confirm)})
    assert unconfirmed.headers["Location"].endswith(url)  # back to the list, nothing sent
    assert outbox("certificate.issued") == []
    response = client.post(url, data={"csrf_token": csrf_from(confirm), "ids": str(all3.id)})
    assert response.status_code == 302
    issued = db.session.execute(select(Certificate)).scalars().all()
    assert [c.registration_id for c in issued] == [all3.id]
    assert len(outbox("certificate.issued")) == 1
    # Issuing again issues nothing new.
    services.issue_certificates(programme, actor=trainer)
    assert db.session.execute(select(Certificate)).scalars().all() == issued
    assert (
        db.session.execute(select(AuditEntry).where(AuditEntry.action == "certificate.issued"))
        .scalars()
        .all()
    )


def test_pdf_has_name_sessions_trainer_and_code(app, programme, people, trainer, tmp_path):
    all3 = people[0]
    all3.organisation = "Gemeente Súdwest-Fryslân"
    programme.sessions[1].theme = "Wijkgericht werken"
    (certificate,) = services.issue_certificates(programme, actor=trainer)
    content = pdf_text(pdf.certificate_pdf(certificate), tmp_path)
    assert "Alle Drie" in content
    assert programme.title in content
    assert "Gemeente Súdwest-Fryslân" in content
    assert "Thema 1" in content and "Wijkgericht werken" in content and "Thema 3" in content
    assert "Tineke Trainer" in content
    assert certificate.code in content
    assert f"werklab.test/verificatie/{certificate.code}" in content


def test_pdf_is_a4_landscape(programme, people, trainer, tmp_path):
    import subprocess

    (certificate,) = services.issue_certificates(programme, actor=trainer)
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf.certificate_pdf(certificate))
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    size = next(line for line in info.splitlines() if line.startswith("Page size"))
    assert "841.89 x 595.276" in size  # A4 landscape, in points


def test_mail_carries_the_pdf_made_at_send_time(programme, people, trainer):
    services.issue_certificates(programme, actor=trainer)
    (mail,) = outbox("certificate.issued")
    assert mail.attachments == [
        {
            "render": services.ATTACHMENT_RENDERER,
            "args": {"certificate_id": mail.attachments[0]["args"]["certificate_id"]},
        }
    ]
    message = build_message(mail, "werklab <noreply@example.nl>")
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content().startswith(b"%PDF")


def test_participant_downloads_with_manage_link_and_signed_in(client, programme, people, trainer):
    all3, two, _ = people
    (certificate,) = services.issue_certificates(programme, actor=trainer)
    db.session.commit()
    url = f"/mijn-traject/certificaat/{certificate.id}"
    token = registration_services.manage_token(all3)
    ok = client.get(url, query_string={"token": token})
    assert ok.status_code == 200 and ok.data.startswith(b"%PDF")
    wrong = client.get(url, query_string={"token": registration_services.manage_token(two)})
    assert wrong.status_code == 302  # not their certificate: sign in first


def test_verify_valid_revoked_and_unknown(client, programme, people, trainer):
    (certificate,) = services.issue_certificates(programme, actor=trainer)
    db.session.commit()
    valid = client.get(f"/verificatie/{certificate.code}")
    assert valid.status_code == 200
    assert "verify-valid" in text(valid) and "Alle Drie" in text(valid)
    assert programme.title in text(valid)

    sign_in(client, trainer)
    page = client.get(f"/werkruimte/{programme.id}/certificaten")
    response = client.post(
        f"/werkruimte/certificaat/{certificate.id}/intrekken",
        data={"csrf_token": csrf_from(text(page))},
    )
    assert response.status_code == 302
    revoked = client.get(f"/verificatie/{certificate.code}")
    assert revoked.status_code == 200
    assert "verify-revoked" in text(revoked) and "verify-valid" not in text(revoked)
    assert db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "certificate.revoked")
    ).scalar_one()
    # The holder hears of it, in Dutch, and a reply reaches the trainer who revoked it.
    [mail] = outbox("certificate.revoked")
    assert mail.to_addr == people[0].email
    assert mail.subject == f"Je bewijs van deelname is ingetrokken: {programme.title}"
    body = " ".join(mail.body_text.split())
    assert f"{trainer.display_name} heeft je bewijs van deelname aan {programme.title}" in body
    assert f"ingetrokken (verificatiecode {certificate.code})" in body
    assert mail.reply_to == [[trainer.display_name, trainer.email]]
    # Asking again changes nothing and mails nothing.
    again = client.post(
        f"/werkruimte/certificaat/{certificate.id}/intrekken",
        data={"csrf_token": csrf_from(text(page))},
    )
    assert again.status_code == 302
    assert len(outbox("certificate.revoked")) == 1

    unknown = client.get("/verificatie/" + services.new_code())
    assert unknown.status_code == 404
    assert "verify-unknown" in text(unknown)
    form = client.get("/verificatie", query_string={"code": certificate.code})
    assert form.status_code == 302 and form.location.endswith(f"/verificatie/{certificate.code}")


def test_codes_are_long_and_random():
    codes = {services.new_code() for _ in range(1000)}
    assert len(codes) == 1000
    assert all(len(c) >= 22 for c in codes)


def test_typed_html_is_text_and_nothing_is_fetched(
    client, programme, people, trainer, tmp_path, monkeypatch
):
    all3 = people[0]
    all3.first_name = EVIL
    all3.organisation = '<link rel="stylesheet" href="http://evil.example/x.css">'
    programme.sessions[0].theme = '<img src="http://evil.example/t.png">'
    (certificate,) = services.issue_certificates(programme, actor=trainer)
    db.session.commit()

    asked = record_fetches(monkeypatch)
    content = pdf_text(pdf.certificate_pdf(certificate), tmp_path)
    assert EVIL in content
    assert "evil.example/x.css" in content
    assert '<img src="http://evil.example/t.png">' in content
    assert asked == []  # the certificate template loads nothing, and typed text adds nothing

    html = text(client.get(f"/verificatie/{certificate.code}"))
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    assert EVIL not in html


def record_fetches(monkeypatch) -> list[str]:
    """Make render_pdf's fetcher write down every URL WeasyPrint asks it for."""
    asked: list[str] = []
    real = attendance_pdf.static_only_fetcher

    def recording(static_root):
        fetcher = real(static_root)
        fetch = fetcher.fetch

        def fetch_and_record(url, *args, **kwargs):
            asked.append(url)
            return fetch(url, *args, **kwargs)

        fetcher.fetch = fetch_and_record
        return fetcher

    monkeypatch.setattr(attendance_pdf, "static_only_fetcher", recording)
    return asked


def test_the_recorder_sees_what_raw_html_would_fetch_and_it_is_refused(app, monkeypatch):
    """Control for the test above: unescaped, the same markup does reach the fetcher, which
    refuses it (so an empty record there means nothing was asked, not a blind recorder)."""
    asked = record_fetches(monkeypatch)
    with app.test_request_context():
        data = attendance_pdf.render_pdf(f"<p>{EVIL}</p>")
    assert data.startswith(b"%PDF")
    assert asked == ["file:///etc/passwd"]
    with app.test_request_context():
        fetcher = attendance_pdf.static_only_fetcher(Path(app.static_folder))
        with pytest.raises(ValueError):
            fetcher.fetch("file:///etc/passwd")


def test_rule_form_rejects_a_bad_minimum(client, programme, trainer):
    sign_in(client, trainer)
    page = client.get(f"/werkruimte/{programme.id}/certificaten")
    response = client.post(
        f"/werkruimte/{programme.id}/certificaten/regel",
        data={"csrf_token": csrf_from(text(page)), "kind": "minimum", "minimum_sessions": "9"},
    )
    assert response.status_code == 400
    assert services.rule_for(programme).kind is RuleKind.ALL


def test_revoked_certificate_cannot_be_downloaded(client, programme, people, trainer):
    (certificate,) = services.issue_certificates(programme, actor=trainer)
    services.revoke_certificate(certificate, actor=trainer)
    db.session.commit()
    token = registration_services.manage_token(people[0])
    response = client.get(
        f"/mijn-traject/certificaat/{certificate.id}", query_string={"token": token}
    )
    assert response.status_code == 404


def test_pdf_lists_only_the_sessions_attended(programme, people, trainer, tmp_path):
    two = people[1]
    services.set_rule(programme, RuleKind.MINIMUM, minimum_sessions=2, actor=trainer)
    issued = {c.registration_id: c for c in services.issue_certificates(programme, actor=trainer)}
    assert set(issued) == {people[0].id, two.id}
    content = pdf_text(pdf.certificate_pdf(issued[two.id]), tmp_path)
    assert "Twee Van Drie" in content
    assert "Thema 1" in content and "Thema 2" in content
    assert "Thema 3" not in content


def test_mail_is_in_dutch_with_the_code(programme, people, trainer):
    (certificate,) = services.issue_certificates(programme, actor=trainer)
    (mail,) = outbox("certificate.issued")
    assert mail.to_addr == people[0].email
    assert mail.subject == f"Je bewijs van deelname: {programme.title}"
    assert certificate.code in mail.body_text and certificate.code in mail.body_html


def test_a_programme_without_sessions_gives_nobody_a_certificate(factories, trainer):
    from werklab.catalog.models import ProgrammeKind

    werklab = factories.programme(kind=ProgrammeKind.WERKLAB)
    factories.registration(werklab)
    factories.took_place(werklab)
    assert [s.eligible for s in services.standings(werklab)] == [False]
    assert services.issue_certificates(werklab, actor=trainer) == []


def test_a_certificate_issued_meanwhile_is_skipped_not_an_error(programme, people, trainer):
    """Two trainers pressing "issue" at once: the unique registration wins, no 500."""
    rows = [r for r in services.standings(programme) if r.eligible]
    first = services._issue(programme, rows[0], [], trainer, utcnow())
    assert first is not None
    assert services._issue(programme, rows[0], [], trainer, utcnow()) is None
    assert len(outbox("certificate.issued")) == 1
