"""The overview page: what a coordinator sees, in Dutch, and a query count that does not
grow with the number of programmes."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.overview.conftest import invoice, text
from werklab.attendance.models import AttendanceStatus
from werklab.attendance.services import mark_attendance
from werklab.certificates.services import issue_certificates
from werklab.db import utcnow
from werklab.extensions import db
from werklab.invoicing.documents import mark_paid

NBSP = "\xa0"


def charts_of(page: str) -> list[str]:
    return re.findall(r"<svg class=\"chart\".*?</svg>", page, re.S)


def test_page_shows_every_section_in_dutch(admin, known):
    page = text(admin.get("/beheer/overzicht"))
    assert "<h1>Overzicht in cijfers</h1>" in page
    for heading in (
        "Plaatsen en wachtlijsten",
        "Doorgaan of niet: beslissingen die eraan komen",
        "Aanwezigheid per bijeenkomst",
        "Uitgereikte certificaten",
        "Facturen per maand",
        "Openstaande werklab-aanvragen",
    ):
        assert f">{heading}</h2>" in page, heading
    # The figures at a glance, amounts in euros in Dutch format.
    assert f"€{NBSP}1.815,00" in page  # outstanding
    assert f"€{NBSP}907,50" in page  # overdue
    assert "82%" in page  # attendance over all sessions
    assert "7 te weinig voor het minimum" in page
    assert "over 3 dagen" in page
    assert "10 dagen geleden verstreken" in page
    # Each chart: a title and a description for screen readers, nothing from elsewhere,
    # a viewBox that scales and no fixed width; and a table beside it.
    svgs = charts_of(page)
    assert len(svgs) == 5  # seats, attendance, certificates, money, requests
    for svg in svgs:
        assert re.search(r"<title id=\"[^\"]+\">[^<]+</title>", svg)
        assert re.search(r"<desc id=\"[^\"]+\">[^<]+</desc>", svg)
        assert 'viewBox="0 0 320 ' in svg and 'width="100%"' in svg
        assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")
    assert page.count("Als tabel") == 5
    assert re.search(r'scope="rowgroup"[^>]*>CoP Geweest · gemiddeld 82%<', page)
    assert page.count("<rect") > 20
    assert "CoP Afgelast" not in page


def test_money_table_in_euros(admin, known):
    page = text(admin.get("/beheer/overzicht"))
    table = re.search(r"<table class=\"ws-table money\">.*?</table>", page, re.S).group(0)
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</th>(.*?)</tr>", table, re.S)
    assert len(rows) == 12
    cells = [re.findall(r"<td class=\"num\">(.*?)</td>", r[1]) for r in rows[-3:]]
    e = f"€{NBSP}"
    assert cells[0] == [f"{e}1.815,00", f"{e}907,50", f"{e}907,50", f"{e}907,50", f"{e}0,00"]
    assert cells[1] == [f"{e}1.815,00", f"{e}0,00", f"{e}0,00", f"{e}0,00", f"{e}1.815,00"]
    assert cells[2] == [f"{e}907,50", f"{e}0,00", f"{e}907,50", f"{e}0,00", f"{e}0,00"]


def test_linked_from_the_management_page_and_menu(admin):
    assert 'href="/beheer/overzicht"' in text(admin.get("/beheer/"))
    assert 'href="/beheer/overzicht"' in text(admin.get("/account"))


def test_empty_overview(admin):
    page = text(admin.get("/beheer/overzicht"))
    assert "Geen enkel traject is open of loopt." in page
    assert "Er heeft nog geen bijeenkomst plaatsgevonden." in page


def test_in_english(admin, known):
    admin.get("/taal/en")
    page = text(admin.get("/beheer/overzicht"))
    assert "<h1>Overview in figures</h1>" in page


def populate(factories, coordinator, count: int, now):
    """`count` programmes, each with registrations, a waiting list, sessions that took
    place with attendance, certificates and invoices (open, paid, overdue)."""
    for n in range(count):
        programme = factories.programme(
            title=f"CoP {n:03d}", min_participants=2, max_participants=3, now=now
        )
        people = factories.fill(programme, 4, now=now)  # three seats, one waiting
        factories.took_place(programme, now=now)
        for session in programme.sessions:
            for person in people[:3]:
                mark_attendance(
                    session, person, AttendanceStatus.PRESENT, recorded_by=coordinator, now=now
                )
        issue_certificates(programme, actor=coordinator, now=now)
        invoice(people[0], now - timedelta(days=45))
        mark_paid(invoice(people[1], now), actor="test", now=now)
    db.session.commit()


def test_query_count_does_not_grow_with_programmes(admin, factories, coordinator, count_queries):
    now = utcnow().replace(microsecond=0)
    populate(factories, coordinator, 3, now)
    admin.get("/beheer/overzicht")  # warm up: statement caches
    with count_queries() as few:
        page = text(admin.get("/beheer/overzicht"))
    assert page.count('scope="rowgroup"') == 3
    populate(factories, coordinator, 57, now)
    with count_queries() as many:
        page = text(admin.get("/beheer/overzicht"))
    assert page.count('scope="rowgroup"') == 60
    assert len(charts_of(page)) == 5
    assert len(many) == len(few), "\n\n".join(many)
    assert len(few) <= 9, "\n\n".join(few)
