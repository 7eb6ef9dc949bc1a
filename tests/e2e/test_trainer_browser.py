"""A trainer in a real browser: sign in with a password, keep the attendance register by
keyboard and by click, download the attendance sheet."""

from __future__ import annotations

import re
import subprocess

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.factories import Factories
from werklab.accounts import services as accounts
from werklab.attendance.models import AttendanceRecord, AttendanceStatus
from werklab.extensions import db

pytestmark = pytest.mark.e2e

PASSWORD = "lang-genoeg-wachtwoord"
PEOPLE = [  # in the order of the register: by last name
    ("Sanne", "Bakker", "Wijkteam Oost"),
    ("Noor", "Jansen", "Gemeente Arnhem"),
    ("Ahmed", "Visser", "Woonstichting Thuis"),
]


@pytest.fixture
def trained(live_server):
    """A programme with three participants, run by a trainer who has a password."""
    with live_server.app_context():
        f = Factories()
        programme = f.took_place(f.programme())  # attendance is kept once a session started
        trainer = accounts.create_user(
            f"trainer.{programme.id}@example.nl",
            "Tineke Trainer",
            password=PASSWORD,
            trainer=True,
            actor="test",
        )
        programme.trainers.append(trainer)
        registrations = [
            f.registration(programme, first_name=first, last_name=last, organisation=org)
            for first, last, org in PEOPLE
        ]
        db.session.commit()
        return {
            "email": trainer.email,
            "trainer_id": trainer.id,
            "programme_id": programme.id,
            "title": programme.title,
            "session_id": programme.sessions[0].id,
            "registration_ids": [r.id for r in registrations],
        }


def stored(live_server, session_id: int) -> dict[int, tuple[AttendanceStatus, int]]:
    with live_server.app_context():
        rows = db.session.execute(
            select(AttendanceRecord).where(AttendanceRecord.session_id == session_id)
        ).scalars()
        return {r.registration_id: (r.status, r.recorded_by_id) for r in rows}


def test_trainer_keeps_the_register_and_prints_the_sheet(
    page: Page, live_server, trained, tmp_path
):
    # Sign in through the real password form.
    page.goto("/inloggen")
    form = page.locator("form[action='/inloggen']")
    form.locator("input[name=email]").fill(trained["email"])
    form.locator("input[name=password]").fill(PASSWORD)
    form.get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/account$"))

    # My programmes -> the programme -> the register of the first session.
    page.get_by_role("link", name="Mijn trajecten").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn trajecten")
    page.get_by_role("link", name=trained["title"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(trained["title"])
    page.get_by_role("link", name=re.compile(r"^Presentielijst bijhouden")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Presentie: Thema 1")
    expect(page.locator("#attendance-keys")).to_be_visible()  # the script runs

    rows = page.locator("#attendance-register tbody tr")
    expect(rows).to_have_count(3)
    live = page.locator("#attendance-live")

    # Keyboard: focus the first row, press a (aanwezig); the focus moves on; f (afgemeld).
    rows.nth(0).focus()
    page.keyboard.press("a")
    expect(rows.nth(0).locator(".current")).to_have_text("Aanwezig")
    expect(rows.nth(0).get_by_role("button", name="Aanwezig")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(live).to_have_text("Sanne Bakker: aanwezig")
    expect(rows.nth(1)).to_be_focused()
    page.keyboard.press("f")
    expect(rows.nth(1).locator(".current")).to_have_text("Afgemeld")
    expect(live).to_have_text("Noor Jansen: afgemeld")
    expect(rows.nth(2)).to_be_focused()
    # The arrow keys move between rows.
    page.keyboard.press("ArrowUp")
    expect(rows.nth(1)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(rows.nth(2)).to_be_focused()

    # Click: the third person is absent.
    rows.nth(2).get_by_role("button", name="Afwezig").click()
    expect(rows.nth(2).locator(".current")).to_have_text("Afwezig")
    expect(live).to_have_text("Ahmed Visser: afwezig")
    expect(page.locator("#attendance-counts")).to_contain_text("Aanwezig: 1")
    expect(page.locator("#attendance-counts")).to_contain_text("Nog niet ingevuld: 0")
    page.screenshot(path=tmp_path / "register.png", full_page=True)

    # What is stored, by whom.
    sanne, noor, ahmed = trained["registration_ids"]
    trainer_id = trained["trainer_id"]
    assert stored(live_server, trained["session_id"]) == {
        sanne: (AttendanceStatus.PRESENT, trainer_id),
        noor: (AttendanceStatus.EXCUSED, trainer_id),
        ahmed: (AttendanceStatus.ABSENT, trainer_id),
    }

    # Changing a mark by keyboard updates it; a reload shows what is stored.
    rows.nth(0).focus()
    page.keyboard.press("w")
    expect(live).to_have_text("Sanne Bakker: afwezig")
    page.reload()
    expect(rows.nth(0).get_by_role("button", name="Afwezig")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(rows.nth(1).get_by_role("button", name="Afgemeld")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert stored(live_server, trained["session_id"])[sanne][0] is AttendanceStatus.ABSENT

    # The attendance sheet: a PDF download with every name.
    with page.expect_download() as info:
        page.get_by_role("link", name="Presentielijst downloaden om te printen (PDF)").click()
    download = info.value
    assert download.suggested_filename.startswith("presentielijst-")
    assert download.suggested_filename.endswith(".pdf")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    content = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for first, last, org in PEOPLE:
        assert f"{first} {last}" in content
        assert org in content
    print(f"screenshot in {tmp_path}")
