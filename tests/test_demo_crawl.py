"""A newcomer who runs ./scripts/demo and clicks around meets no error page and no dead link.

The demo data is seeded, then each demo role (a visitor, the coordinator, both trainers, a
participant signed in with a mailed link) follows every link on every page it reaches, and
every link in the mails the demo queued is opened too. Pages of the same shape (the same path
with other ids or tokens) are visited twice at most, so the crawl stays short while still
reaching every kind of page.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from tests.conftest import csrf_from, outbox
from werklab.extensions import db
from werklab.registration.models import Registration, RegistrationStatus
from werklab.seed import DEMO_PASSWORD, DEMO_STAFF

HOSTS = {"localhost", "werklab.test"}
HREF = re.compile(r'href="([^"#]+)')
MAIL_LINK = re.compile(r"https?://[^\s<>\"]+")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def shape(path: str) -> str:
    """The kind of page: ids and tokens made equal."""
    path = urlsplit(path).path
    path = re.sub(r"/[A-Za-z0-9_.\-]{20,}", "/<token>", path)
    return re.sub(r"\d+", "<n>", path)


def local(url: str, base: str = "/") -> str | None:
    """The path (with query) of a link to this site, None for another site or a non-page."""
    if url.startswith(("mailto:", "tel:", "data:", "javascript:")):
        return None
    parts = urlsplit(urljoin("http://localhost" + base, unescape(url)))
    if parts.hostname not in HOSTS or parts.path.startswith("/static/"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


class Forms(HTMLParser):
    """The POST forms of a page: action and fields (name, type, value), as a browser would
    send them untouched (unchecked boxes left out, a select's chosen or first option)."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, list[tuple[str, str, str]]]] = []
        self._fields: list | None = None
        self._select: list | None = None
        self._textarea: list | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._fields = [] if (a.get("method") or "").lower() == "post" else None
            if self._fields is not None:
                self.forms.append((a.get("action") or "", self._fields))
        elif self._fields is None or not a.get("name") and tag != "option":
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind not in ("checkbox", "radio", "file", "submit") or "checked" in a:
                self._fields.append((a["name"], kind, a.get("value") or ""))
        elif tag == "select":
            self._select = [a["name"], None]
        elif tag == "option" and self._select is not None:
            if self._select[1] is None or "selected" in a:
                self._select[1] = a.get("value") or ""
        elif tag == "textarea":
            self._textarea = [a["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if self._fields is None:
            return
        if tag == "select" and self._select is not None:
            self._fields.append((self._select[0], "select", self._select[1] or ""))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._fields.append((self._textarea[0], "textarea", self._textarea[1]))
            self._textarea = None
        elif tag == "form":
            self._fields = None


def crawl(
    client, starts: list[str], language: str = "nl", per_shape: int = 2, forms=None
) -> tuple[Counter, list[str]]:
    """Follow links from `starts` (not the language switch: each run stays in `language`);
    return the shapes seen and what went wrong (with the page that linked to it). `forms`,
    a dict, collects one POST form of each shape of action: {shape: (page, action, fields)}."""
    queue = deque((start, "(start)") for start in starts)
    seen: set[str] = set()
    shapes: Counter = Counter()
    problems: list[str] = []
    while queue:
        path, linked_from = queue.popleft()
        if path in seen or shapes[shape(path)] >= per_shape:
            continue
        seen.add(path)
        shapes[shape(path)] += 1
        response = client.get(path)
        if response.status_code >= 400:
            problems.append(f"{path} → {response.status_code} (link on {linked_from})")
            continue
        if response.status_code in (301, 302, 303):
            target = local(response.headers["Location"], path)
            if target:
                queue.append((target, path))
            continue
        if response.mimetype != "text/html":
            continue
        html = response.get_data(as_text=True)
        if f'<html lang="{language}"' not in html:
            problems.append(f"{path}: the page does not say it is in {language}")
        if forms is not None:
            parser = Forms()
            parser.feed(html)
            for action, fields in parser.forms:
                target = local(action or path, path)
                if target and not target.startswith("/uitloggen"):
                    forms.setdefault(shape(target), (path, target, fields))
        for href in HREF.findall(html):
            target = local(href, path)
            if target and target not in seen and not target.startswith(("/uitloggen", "/taal/")):
                queue.append((target, path))
    return shapes, problems


def sign_in_with_password(client, email: str) -> None:
    token = csrf_from(client.get("/inloggen").get_data(as_text=True))
    response = client.post(
        "/inloggen", data={"csrf_token": token, "email": email, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302, email


def sign_in_with_link(client, email: str) -> None:
    token = csrf_from(client.get("/inloggen").get_data(as_text=True))
    client.post("/inloggen/link", data={"csrf_token": token, "email": email})
    (mail,) = [m for m in outbox("accounts.login_link") if m.to_addr == email]
    link = local(re.search(r"https?://\S+/inloggen/link/\S+", mail.body_text).group(0))
    token = csrf_from(client.get(link).get_data(as_text=True))
    assert client.post(link, data={"csrf_token": token}).status_code == 302


def a_seated_participant() -> str:
    """The e-mail address of the demo's first confirmed registration."""
    return db.session.execute(
        select(Registration.email)
        .where(Registration.status == RegistrationStatus.CONFIRMED)
        .order_by(Registration.id)
        .limit(1)
    ).scalar_one()


@pytest.fixture
def demo(app):
    result = app.test_cli_runner().invoke(args=["werklab", "seed-demo"])
    assert result.exit_code == 0, result.output
    return result.output


def test_every_page_the_demo_links_to_answers_for_every_role(app, demo):
    invitation = [local(url) for url in MAIL_LINK.findall(demo) if "uitnodiging=" in url]
    runs = {"bezoeker": (app.test_client(), ["/", *invitation])}
    english = app.test_client()
    english.get("/taal/en")
    for email, *_ in DEMO_STAFF.values():
        client = app.test_client()
        sign_in_with_password(client, email)
        runs[email] = (client, ["/", "/account"])
    participant = a_seated_participant()
    client = app.test_client()
    sign_in_with_link(client, participant)
    runs["deelnemer"] = (client, ["/", "/account"])

    reached = {}
    problems = []
    for role, (client, starts) in runs.items():
        shapes, found = crawl(client, starts)
        reached[role] = len(shapes)
        problems += [f"{role}: {p}" for p in found]
    shapes, found = crawl(english, ["/", *invitation], language="en")
    reached["visitor"] = len(shapes)
    problems += [f"visitor: {p}" for p in found]
    assert problems == []
    # The crawl really went round: every role reaches the kinds of pages its menu offers.
    coordinator, trainer, other_trainer = (e for e, *_ in DEMO_STAFF.values())
    assert min(reached["bezoeker"], reached["visitor"]) >= 8, reached
    assert reached[coordinator] >= 60, reached
    assert min(reached[trainer], reached[other_trainer]) >= 30, reached
    assert reached["deelnemer"] >= 15, reached


def test_every_link_in_the_mails_of_the_demo_answers(app, demo):
    """The demo queues no mail itself; its first tick sends the reminders, the evaluation
    invitations, the decisions due and the digests the demo data is due for. Each link is
    opened as its addressee would: staff signed in, everyone else through the signed link."""
    result = app.test_cli_runner().invoke(args=["werklab", "tick"])
    assert result.exit_code == 0, result.output
    mails = outbox()
    staff = {}
    for email, *_ in DEMO_STAFF.values():
        staff[email] = app.test_client()
        sign_in_with_password(staff[email], email)
    visitor = app.test_client()
    opened, problems = set(), []
    for mail in mails:
        client = staff.get(mail.to_addr, visitor)
        for url in MAIL_LINK.findall(mail.body_text or ""):
            path = local(url)
            if path is None or (mail.to_addr, path) in opened:
                continue
            opened.add((mail.to_addr, path))
            response = client.get(path)
            to_sign_in = response.headers.get("Location", "").startswith("/inloggen")
            if response.status_code >= 400 or (client is not visitor and to_sign_in):
                problems.append(f"{mail.kind} to {mail.to_addr}: {path} → {response.status_code}")
    kinds = {mail.kind for mail in mails}
    expected = {"reminders.session", "evaluation.invitation", "followup.digest"}
    assert expected | {"programme.decision_due"} <= kinds, kinds
    assert len(opened) >= 20, len(opened)
    assert problems == []


#: What someone might paste into any text field: markup, quotes, a template, emoji, and
#: more characters than most fields take.
ODD = "<b>Ünïcødé</b> 🎉 ' \" \\ %s {{ 7*7 }} " + "ä" * 400


def fill(fields, how: str, token: str) -> MultiDict:
    """The form's fields, sent untouched ("as is"), with every visible field empty
    ("empty"), or with every text field odd and every choice one the form does not offer
    ("odd")."""
    data = MultiDict()
    for name, kind, value in fields:
        if name == "csrf_token":
            value = token
        elif how == "empty" and kind != "hidden":
            value = ""
        elif how == "odd" and kind in ("select", "radio", "checkbox"):
            value = "geen-keuze"
        elif how == "odd" and kind not in ("hidden", "checkbox", "radio"):
            value = ODD
        data.add(name, value)
    return data


def test_every_form_of_the_demo_takes_empty_and_odd_input_without_a_server_error(app, demo):
    """Each role submits every form it can reach as is, emptied, and filled with odd text
    and choices the form does not offer: the answer may refuse, never fail. The visitor
    also follows the signed links in the mails of the demo's first tick (the manage page,
    the evaluation questionnaire), as the people they were sent to would."""
    assert app.test_cli_runner().invoke(args=["werklab", "tick"]).exit_code == 0
    staff = {e for e, *_ in DEMO_STAFF.values()}
    signed_links = sorted(
        {
            path
            for mail in outbox()
            if mail.to_addr not in staff
            for url in MAIL_LINK.findall(mail.body_text or "")
            if (path := local(url))
        }
    )
    invitation = [local(url) for url in MAIL_LINK.findall(demo) if "uitnodiging=" in url]
    participant = a_seated_participant()
    problems, sent = [], Counter()
    # The coordinator comes last: among their forms are those that deactivate accounts.
    for role in ["bezoeker", participant, *reversed([e for e, *_ in DEMO_STAFF.values()])]:
        client = app.test_client()
        starts = ["/", "/account"]
        if role in staff:
            sign_in_with_password(client, role)
        elif role == participant:
            sign_in_with_link(client, participant)
        else:
            starts += invitation + signed_links
        forms, token = {}, ""
        crawl(client, starts, forms=forms)
        for page, action, fields in forms.values():
            for how in ("odd", "empty", "as is"):
                # The session's token; a page whose form went with the last answer (a
                # deleted item) keeps the one from before.
                found = CSRF.search(client.get(page).get_data(as_text=True))
                token = found.group(1) if found else token
                try:
                    status = client.post(action, data=fill(fields, how, token)).status_code
                except Exception as exc:  # noqa: BLE001 - the test client passes errors on
                    status = f"{type(exc).__name__}: {exc}"
                sent[role] += 1
                if not isinstance(status, int) or status >= 500:
                    problems.append(f"{role}: {action} ({how}, form on {page}) → {status}")
    assert problems == []
    assert sent[DEMO_STAFF["coordinator"][0]] >= 3 * 25 and sent["bezoeker"] >= 3 * 6, sent
