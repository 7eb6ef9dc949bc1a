"""The attendance sheet (presentielijst) PDF, checked by its text and page count."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.workspace.helpers import sign_in, staff
from werklab.extensions import db
from werklab.pdf import STATIC_SCHEME, render_pdf, static_file, static_only_fetcher
from werklab.registration.models import RegistrationStatus

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "static"


def pdf_text(data: bytes, tmp_path: Path) -> str:
    """The PDF's text in reading order, all whitespace (also where a cell wraps) one space."""
    path = tmp_path / "sheet.pdf"
    path.write_bytes(data)
    out = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(out.split())


def pdf_pages(data: bytes, tmp_path: Path) -> int:
    path = tmp_path / "info.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    fields = dict(line.split(":", 1) for line in info.stdout.splitlines() if ":" in line)
    assert "A4" in fields["Page size"]
    return int(fields["Pages"])


@pytest.fixture
def trainer(programme):
    user = staff("tineke@example.nl", "Tineke Trainer")
    programme.trainers.append(user)
    db.session.commit()
    return user


def test_sheet_lists_every_participant_on_one_a4_page(
    client, programme, trainer, factories, tmp_path
):
    people = [
        factories.registration(
            programme,
            first_name=f"Fatima{i:02d}",
            last_name="El Amrani-Bouzid",
            organisation=f"Gemeente Súdwest-Fryslân, afdeling Participatie {i:02d}",
        )
        for i in range(15)
    ]
    waiting = factories.registration(programme, first_name="Wachtende", last_name="Persoon")
    assert waiting.status is RegistrationStatus.WAITLISTED
    programme.sessions[1].location_name = "Wijkcentrum De Brug"
    db.session.commit()
    session = programme.sessions[1]
    sign_in(client, trainer)

    response = client.get(f"/werkruimte/bijeenkomst/{session.id}/presentielijst.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="presentielijst-{programme.slug}-bijeenkomst-2-'
        f'{session.starts_at:%Y-%m-%d}.pdf"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    content = pdf_text(response.data, tmp_path)
    assert "Presentielijst".upper() in content.upper()
    assert programme.title in content
    assert "Bijeenkomst 2: Thema 2" in content
    assert "Wijkcentrum De Brug" in content
    assert "Handtekening" in content
    for person in people:
        assert person.full_name in content
        assert person.organisation in content
    assert "Wachtende" not in content
    assert "Tineke Trainer" in content
    assert pdf_pages(response.data, tmp_path) == 1


def test_what_people_typed_is_printed_as_text(client, programme, trainer, factories, tmp_path):
    factories.registration(
        programme,
        first_name="<b>Vet</b>",
        last_name="de Vries",
        organisation='<img src="file:///etc/x"> & Zn',
    )
    db.session.commit()
    sign_in(client, trainer)
    response = client.get(f"/werkruimte/bijeenkomst/{programme.sessions[0].id}/presentielijst.pdf")
    content = pdf_text(response.data, tmp_path)
    assert "<b>Vet</b> de Vries" in content
    assert '<img src="file:///etc/x"> & Zn' in content


def test_the_fetcher_serves_static_files_only(app):
    with app.app_context():
        fetcher = static_only_fetcher(STATIC)
        response = fetcher(f"{STATIC_SCHEME}/css/werklab.css")
        assert response.read() == (STATIC / "css" / "werklab.css").read_bytes()
        assert response.content_type == "text/css"
        for url in (
            "file:///etc/passwd",
            f"file://{STATIC}/css/werklab.css",
            "http://127.0.0.1:9/x.png",
            "https://evil.example/x.css",
            "data:text/css,body{}",
            f"{STATIC_SCHEME}/../config.py",
            f"{STATIC_SCHEME}/css/../../config.py",
            f"{STATIC_SCHEME}/%2e%2e/config.py",
            f"{STATIC_SCHEME}/css",
            f"{STATIC_SCHEME}/nope.css",
        ):
            with pytest.raises(ValueError, match="refused"):
                fetcher(url)


def test_static_file_stays_inside_the_folder(tmp_path):
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "a.css").write_text("a{}")
    (tmp_path / "secret.txt").write_text("geheim")
    (tmp_path / "static" / "link.txt").symlink_to(tmp_path / "secret.txt")
    root = tmp_path / "static"
    assert static_file(f"{STATIC_SCHEME}/a.css", root) == (root / "a.css").resolve()
    assert static_file(f"{STATIC_SCHEME}a.css", root) == (root / "a.css").resolve()
    assert static_file(f"{STATIC_SCHEME}/../secret.txt", root) is None
    assert static_file(f"{STATIC_SCHEME}/link.txt", root) is None  # a symlink out of static/
    assert static_file(f"file://{root}/a.css", root) is None


def test_a_pdf_never_loads_other_urls(app, tmp_path, caplog):
    """Even HTML that slipped past escaping cannot make the renderer read a file or the net."""
    secret = tmp_path / "secret.css"
    secret.write_text("body { background: red }")
    html = (
        f'<link rel="stylesheet" href="file://{secret}">'
        '<img src="http://127.0.0.1:9/tracker.png">'
        '<link rel="stylesheet" href="werklab-static:/css/werklab.css">'
        "<p>Alleen tekst</p>"
    )
    with app.test_request_context():
        data = render_pdf(html)
    assert data.startswith(b"%PDF")
    assert "Alleen tekst" in pdf_text(data, tmp_path)
    refused = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert any(str(secret) in m for m in refused), refused
    assert any("127.0.0.1:9" in m for m in refused), refused
    assert not any("werklab.css" in m for m in refused)


def test_weasyprint_is_imported_only_when_a_pdf_is_made():
    code = (
        "import sys; from werklab import create_app; "
        "app = create_app('testing', SQLALCHEMY_DATABASE_URI='sqlite://'); "
        "import werklab.attendance.views, werklab.attendance.pdf; "
        "print('weasyprint' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
