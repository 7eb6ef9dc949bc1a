"""The registration form, the manage link, cancelling and answering an offer, over HTTP."""

import dataclasses
from datetime import timedelta

import flask_wtf.csrf
import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_from, outbox, tampered
from werklab.catalog.models import ProgrammeKind, ProgrammeStatus
from werklab.db import utcnow
from werklab.extensions import db
from werklab.registration import availability, services, signup
from werklab.registration.models import Registration
from werklab.registration.models import RegistrationStatus as S


def text(response) -> str:
    return response.get_data(as_text=True)


def form_data(**overrides):
    data = {
        "first_name": "Lotte",
        "last_name": "Bakker",
        "email": "lotte.bakker@example.nl",
        "organisation": "Woningcorporatie Rentree",
        "sector": "civil_society",
        "job_title": "Wijkconsulent",
        "learning_question": "Hoe help ik bewoners hun plan uit te voeren?",
        "dietary_wishes": "",
        "privacy_consent": "y",
        # A CoP has a fee: without Stripe keys the invoice to the employer is the way to pay.
        "payment_method": "invoice",
        "billing_organisation": "Woningcorporatie Rentree",
        "billing_street": "Postbus 1",
        "billing_postcode": "7400 AA",
        "billing_city": "Deventer",
        "billing_country": "NL",
        "billing_legal_id": "12345678",
        "billing_email": "facturen@rentree.example",
        "billing_reference": "PO-2026-001",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post_form(client, programme, query="", **overrides):
    url = f"/programma/{programme.slug}/inschrijven{query}"
    page = client.get(url)
    assert page.status_code == 200, text(page)
    data = form_data(**overrides)
    data["csrf_token"] = csrf_from(text(page))
    return client.post(url, data=data)


def count(programme) -> int:
    return db.session.execute(
        select(func.count())
        .select_from(Registration)
        .where(Registration.programme_id == programme.id)
    ).scalar_one()


def test_form_shows_the_fields_and_the_dietary_note(client, programme):
    page = text(client.get(f"/programma/{programme.slug}/inschrijven"))
    for label in [
        "Voornaam",
        "Achternaam",
        "E-mailadres",
        "Organisatie",
        "Sector",
        "Functie",
        "leervraag",
        "Dieetwensen",
        "privacyverklaring",
    ]:
        assert label in page, label
    assert "Overheid" in page and "Maatschappelijke organisatie" in page
    assert "verwijderen" in page  # dietary wishes are deleted after the programme
    assert 'name="csrf_token"' in page


def test_werklab_form_does_not_ask_for_a_learning_question(client, factories):
    programme = factories.invitation_programme(kind=ProgrammeKind.WERKLAB)
    page = text(
        client.get(
            f"/programma/{programme.slug}/inschrijven?uitnodiging={programme.invitation_token}"
        )
    )
    assert 'name="learning_question"' not in page


def test_register_seated_shows_result_and_sends_mail(client, programme):
    response = post_form(client, programme)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/inschrijving/")
    page = text(client.get(response.headers["Location"]))
    assert (
        '<p class="flash flash-success" role="status">'
        "Je bent ingeschreven: je plaats is bevestigd.</p>" in page
    )
    assert "Je hebt een plaats." in page
    assert "Lotte Bakker" in page
    registration = db.session.execute(select(Registration)).scalar_one()
    assert registration.status is S.CONFIRMED
    assert registration.sector.value == "civil_society"
    assert registration.locale == "nl"
    [mail] = outbox("registration.confirmed")
    assert mail.to_addr == "lotte.bakker@example.nl"
    assert "Beste Lotte," in mail.body_text
    assert programme.title in mail.subject


def test_register_when_full_shows_waiting_list_position(client, factories):
    programme = factories.programme(min_participants=1, max_participants=2)
    factories.fill(programme, 3)  # 2 seated, 1 waiting
    response = post_form(client, programme)
    page = text(client.get(response.headers["Location"]))
    assert (
        '<p class="flash flash-info" role="status">'
        "Het traject is vol: je staat op de wachtlijst.</p>" in page
    )
    assert "Je staat op nummer 2 van de wachtlijst." in page
    [mail] = [
        m for m in outbox("registration.waitlisted") if m.to_addr == "lotte.bakker@example.nl"
    ]
    assert "2" in mail.body_text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("first_name", "", "Vul je voornaam in."),
        ("first_name", "   ", "Vul je voornaam in."),
        ("first_name", "x" * 101, "100 tekens"),
        ("last_name", "", "achternaam"),
        ("email", "", "e-mailadres"),
        ("email", "lotte@", "Dit is geen geldig e-mailadres"),
        ("email", "lotte example.nl", "Dit is geen geldig e-mailadres"),
        ("organisation", "", "organisatie"),
        ("sector", "", "Kies je sector."),
        ("sector", "koning", "Kies je sector."),
        ("job_title", "", "functie"),
        ("learning_question", "", "leervraag"),
        ("learning_question", "x" * 2001, "2000 tekens"),
        ("dietary_wishes", "x" * 501, "500 tekens"),
        ("privacy_consent", None, "Ga akkoord met de privacyverklaring"),
    ],
)
def test_bad_input_gets_a_specific_dutch_message_and_stores_nothing(
    client, programme, field, value, message
):
    response = post_form(client, programme, **{field: value})
    assert response.status_code == 400
    page = text(response)
    assert f'id="{field}-error"' in page
    error = page.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]
    assert message.lower() in error.lower(), error
    assert count(programme) == 0
    assert outbox() == []


def test_same_email_twice_gets_a_friendly_message(client, programme):
    post_form(client, programme)
    response = post_form(client, programme, email="Lotte.Bakker@Example.nl")
    assert response.status_code == 409
    assert "al ingeschreven" in text(response)
    assert count(programme) == 1


def test_after_deadline_a_clear_message_and_nothing_stored(client, factories):
    programme = factories.programme(registration_deadline=utcnow() - timedelta(minutes=5))
    page = client.get(f"/programma/{programme.slug}/inschrijven")
    assert page.status_code == 409
    assert "De inschrijftermijn voor" in text(page)
    other = factories.programme()
    token = csrf_from(text(client.get(f"/programma/{other.slug}/inschrijven")))
    response = client.post(
        f"/programma/{programme.slug}/inschrijven", data={**form_data(), "csrf_token": token}
    )
    assert response.status_code == 409
    assert "De inschrijftermijn voor" in text(response)
    assert count(programme) == 0


def test_invitation_only_form_needs_the_token(client, factories):
    programme = factories.invitation_programme(kind=ProgrammeKind.WERKLAB)
    assert client.get(f"/programma/{programme.slug}/inschrijven").status_code == 404
    response = post_form(client, programme, query=f"?uitnodiging={programme.invitation_token}")
    assert response.status_code == 302
    assert count(programme) == 1


def test_post_without_csrf_token_changes_nothing(client, programme):
    response = client.post(f"/programma/{programme.slug}/inschrijven", data=form_data())
    assert response.status_code == 400
    assert "Dit formulier is verlopen" in text(response)
    assert count(programme) == 0


def test_replayed_form_with_another_session_csrf_token_changes_nothing(app, programme):
    first, second = app.test_client(), app.test_client()
    token = csrf_from(text(first.get(f"/programma/{programme.slug}/inschrijven")))
    second.get(f"/programma/{programme.slug}/inschrijven")
    response = second.post(
        f"/programma/{programme.slug}/inschrijven", data={**form_data(), "csrf_token": token}
    )
    assert response.status_code == 400
    assert count(programme) == 0


def test_extra_fields_are_ignored(client, programme):
    response = post_form(
        client, programme, status="cancelled", programme_id="999", waitlist_seq="1"
    )
    assert response.status_code == 302
    registration = db.session.execute(select(Registration)).scalar_one()
    assert registration.status is S.CONFIRMED
    assert registration.programme_id == programme.id


@pytest.mark.parametrize("token", ["nonsense", "eyJ4Ijo.tampered", "a" * 300])
def test_tampered_or_unknown_manage_link_is_not_found(client, factories, programme, token):
    assert client.get(f"/inschrijving/{token}").status_code == 404
    assert client.get(f"/inschrijving/{token}/annuleren").status_code == 404
    assert client.post(f"/inschrijving/{token}/annuleren").status_code in (400, 404)


def test_tampered_signature_of_a_real_link_is_not_found(client, factories, programme):
    registration = factories.registration(programme)
    token = services.manage_token(registration)
    assert client.get(f"/inschrijving/{tampered(token)}").status_code == 404
    assert client.get(f"/inschrijving/{token}").status_code == 200


def test_cancel_through_the_manage_link_offers_the_seat(client, factories):
    programme = factories.programme(min_participants=1, max_participants=1)
    seated = factories.registration(programme)
    waiting = factories.registration(programme)
    token = services.manage_token(seated)
    page = client.get(f"/inschrijving/{token}/annuleren")
    assert page.status_code == 200
    response = client.post(
        f"/inschrijving/{token}/annuleren", data={"csrf_token": csrf_from(text(page))}
    )
    assert response.status_code == 302
    db.session.refresh(seated)
    db.session.refresh(waiting)
    assert seated.status is S.CANCELLED
    assert waiting.status is S.OFFERED
    assert outbox("registration.cancelled")[-1].to_addr == seated.email
    assert outbox("registration.offer")[-1].to_addr == waiting.email
    # Cancelling again only says it is already done.
    again = client.get(f"/inschrijving/{token}/annuleren", follow_redirects=True)
    assert "al geannuleerd" in text(again)


def test_cancel_without_csrf_changes_nothing(client, programme, factories):
    registration = factories.registration(programme)
    response = client.post(f"/inschrijving/{services.manage_token(registration)}/annuleren")
    assert response.status_code == 400
    db.session.refresh(registration)
    assert registration.status is S.CONFIRMED


@pytest.mark.parametrize(("choice", "expected"), [("accept", S.CONFIRMED), ("decline", S.DECLINED)])
def test_answer_an_offer_from_the_mail_link(client, factories, choice, expected):
    # Without a fee: accepting asks nothing but a confirmation (with a fee, someone who
    # joined the list without choosing how to pay is asked it: test_waiting_list_form.py).
    programme = factories.programme(min_participants=1, max_participants=1, fee_cents=None)
    seated = factories.registration(programme)
    waiting = factories.registration(programme)
    services.cancel_registration(seated, actor="test")
    link = next(
        line
        for line in outbox("registration.offer")[-1].body_text.splitlines()
        if f"keuze={choice}" in line
    ).strip()
    path = link.removeprefix("http://werklab.test")
    page = client.get(path)
    assert page.status_code == 200
    assert db.session.get(Registration, waiting.id).status is S.OFFERED  # GET changes nothing
    response = client.post(path, data={"csrf_token": csrf_from(text(page))})
    assert response.status_code == 302
    db.session.refresh(waiting)
    assert waiting.status is expected
    manage = text(client.get(response.headers["Location"]))
    if expected is S.CONFIRMED:
        assert "Je hebt een plaats." in manage
    # A second answer is refused politely.
    again = client.post(path, data={"csrf_token": csrf_from(text(page))}, follow_redirects=True)
    assert "Dit aanbod is verlopen, of je hebt er al op gereageerd." in text(again)


def test_calendar_download_for_seated_only(client, factories):
    programme = factories.programme(min_participants=1, max_participants=1)
    seated = factories.registration(programme)
    waiting = factories.registration(programme)
    response = client.get(f"/inschrijving/{services.manage_token(seated)}/agenda.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert b"BEGIN:VEVENT" in response.data
    assert (
        client.get(f"/inschrijving/{services.manage_token(waiting)}/agenda.ics").status_code == 404
    )


def test_lock_timeout_gives_a_friendly_busy_page(app, client, programme, monkeypatch):
    from werklab.errors import Busy

    def busy(*args, **kwargs):
        raise Busy("Het is nu erg druk. Probeer het zo nog eens.")

    monkeypatch.setattr(signup, "lock_programme", busy)
    response = post_form(client, programme)
    assert response.status_code == 503
    assert "Het is nu erg druk. Probeer het zo nog eens." in text(response)
    assert 'value="Lotte"' in text(response)  # what was typed is kept
    assert response.headers["Retry-After"]
    assert count(programme) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("first_name", "Anna\r\nBcc: iedereen@example.nl", "één regel"),
        ("email", "anna@example.nl\nBcc: x@example.nl", "één regel"),
        ("organisation", "Gemeente\tEde", "één regel"),
        ("learning_question", "Vraag\x07", "tekens die we niet kunnen opslaan"),
    ],
)
def test_line_breaks_and_control_characters_are_refused(client, programme, field, value, message):
    response = post_form(client, programme, **{field: value})
    assert response.status_code == 400
    error = text(response).split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]
    assert message in error
    assert count(programme) == 0


def test_learning_question_may_have_several_lines(client, programme):
    response = post_form(client, programme, learning_question="Eerste regel.\r\nTweede regel.")
    assert response.status_code == 302


@pytest.mark.parametrize(
    "path",
    [
        "/programma/%00",
        "/programma/x%00y/inschrijven",
        "/inschrijving/abc%00",
        "/?soort=%00",
        "/programma/{slug}?uitnodiging=%00",
    ],
)
def test_nul_bytes_are_refused_without_an_error(client, programme, path):
    response = client.get(path.format(slug=programme.slug))
    assert response.status_code == 400


def test_nul_byte_in_a_posted_field_is_refused(client, programme):
    response = post_form(client, programme, job_title="Advi\x00seur")
    assert response.status_code == 400
    assert count(programme) == 0


def test_registration_costs_the_same_statements_with_a_long_waiting_list(
    client, factories, count_queries
):
    """Joining a waiting list of 2 or of 45 runs the same SQL (each answered from an index);
    the mail is rendered when it is sent, not in the request."""

    def join(programme, email) -> list[str]:
        url = f"/programma/{programme.slug}/inschrijven"
        data = dict(form_data(email=email), csrf_token=csrf_from(text(client.get(url))))
        with count_queries() as statements:
            response = client.post(url, data=data)
        assert response.status_code == 302, text(response)
        return statements

    short = factories.programme(min_participants=1, max_participants=15)
    factories.fill(short, 17)  # 15 seated, 2 waiting
    long = factories.programme(min_participants=1, max_participants=15)
    factories.fill(long, 60)  # 15 seated, 45 waiting
    few = join(short, "kort@example.nl")
    many = join(long, "lang@example.nl")
    assert len(many) == len(few), (few, many)
    # The programme (form), its lock, the seat state, then registration, audit, billing, mail.
    assert len(few) <= 7, few
    [mail] = [m for m in outbox("registration.waitlisted") if m.to_addr == "lang@example.nl"]
    assert "nummer 46 van de wachtlijst" in mail.body_text


def test_manage_page_runs_the_same_statements_as_the_programme_grows(
    client, factories, count_queries
):
    """The manage page (the last step of every registration) runs a fixed number of SQL
    statements, whatever the number of sessions, seated people and people waiting."""

    def manage_page(programme, registration) -> list[str]:
        db.session.expire_all()  # as in a new request: nothing loaded yet
        with count_queries() as statements:
            response = client.get(f"/inschrijving/{services.manage_token(registration)}")
        assert response.status_code == 200
        assert programme.title in text(response)
        return statements

    small = factories.programme(min_participants=1, max_participants=2, sessions=2)
    small_seated, _, small_waiting = factories.fill(small, 3)
    large = factories.programme(min_participants=1, max_participants=15, sessions=12)
    large_people = factories.fill(large, 60)  # 15 seated, 45 waiting
    seated = (manage_page(small, small_seated), manage_page(large, large_people[0]))
    waiting = (manage_page(small, small_waiting), manage_page(large, large_people[-1]))
    assert len(seated[0]) == len(seated[1]), seated
    assert len(waiting[0]) == len(waiting[1]), waiting
    # Registration, programme, sessions; the waiting-list position; the invoice, if any.
    assert max(len(seated[1]), len(waiting[1])) <= 6, (seated[1], waiting[1])


@pytest.mark.parametrize("country", ["XX", "nl", "", "NL<script>"])
def test_unknown_invoice_country_is_refused_and_nothing_stored(client, programme, country):
    response = post_form(client, programme, billing_country=country)
    assert response.status_code == 400
    assert 'id="billing_country-error">Kies een land uit de lijst.' in text(response)
    assert count(programme) == 0


def test_invoice_country_keeps_the_chosen_country_after_an_error(client, programme):
    response = post_form(client, programme, billing_country="BE", billing_postcode="")
    assert response.status_code == 400
    assert '<option selected value="BE">België</option>' in text(response)
    assert count(programme) == 0


def test_the_head_of_a_programme_is_what_the_posted_form_needs(factories):
    now = utcnow()
    programme = factories.programme(min_participants=1, max_participants=3)
    factories.fill(programme, 2)
    head = availability.registration_head(programme.slug, None, now=now)
    assert head == availability.RegistrationHead(
        programme.id, ProgrammeKind.COP, 75000, 3, 2, registration_open=True
    )
    assert not head.full
    factories.fill(programme, 1)
    assert availability.registration_head(programme.slug, None, now=now).full
    # After the deadline it is there, but closed: the page says so.
    late = now + timedelta(days=31)
    assert availability.registration_head(programme.slug, None, now=late).registration_open is False
    invited = factories.invitation_programme()
    assert availability.registration_head(invited.slug, None, now=now) is None
    assert availability.registration_head(invited.slug, "wrong", now=now) is None
    assert availability.registration_head(invited.slug, invited.invitation_token, now=now).id == (
        invited.id
    )
    draft = factories.programme(status=ProgrammeStatus.DRAFT)
    assert availability.registration_head(draft.slug, None, now=now) is None
    assert availability.registration_head("bestaat-niet", None, now=now) is None


def test_a_posted_form_reads_the_programme_in_full_only_under_the_lock(
    client, programme, count_queries
):
    url = f"/programma/{programme.slug}/inschrijven"
    data = dict(form_data(), csrf_token=csrf_from(text(client.get(url))))
    with count_queries() as statements:
        assert client.post(url, data=data).status_code == 302
    reads = [s for s in statements if "FROM programmes" in s and "programmes.title" in s]
    assert len(reads) == 1, reads  # the lock's; the form was checked against the head
    first = next(s for s in statements if "FROM programmes" in s)
    assert "programmes.title" not in first and "programmes.fee_cents" in first


def test_a_posted_form_with_errors_is_shown_again_with_its_programme(client, programme):
    response = post_form(client, programme, first_name="", job_title="Wijkregisseur")
    assert response.status_code == 400
    page = text(response)
    assert programme.title in page and 'value="Wijkregisseur"' in page
    assert 'id="first_name-error"' in page
    assert count(programme) == 0


def test_a_place_freed_after_the_form_was_checked_asks_how_to_pay(client, factories, monkeypatch):
    """The form was checked while the programme was full (a waiting-list form, payment asked
    at the offer); under the lock a seat is free and nobody waits: the person is asked how
    to pay, with the whole form, and nothing is stored."""
    programme = factories.programme(min_participants=1, max_participants=2)
    first, _ = factories.fill(programme, 2)
    url = f"/programma/{programme.slug}/inschrijven"
    page = text(client.get(url))
    assert 'name="billing_organisation"' not in page  # full: the waiting-list form
    token = csrf_from(page)
    services.cancel_registration(first, actor="test")
    db.session.commit()
    read = availability.registration_head
    # What the check before the lock saw a moment earlier: the programme still full.
    monkeypatch.setattr(
        availability,
        "registration_head",
        lambda *a, **kw: dataclasses.replace(read(*a, **kw), seats_taken=2),
    )
    data = {k: v for k, v in form_data(email="laat@example.nl").items() if "billing" not in k}
    data.pop("payment_method")
    response = client.post(url, data=dict(data, csrf_token=token))
    assert response.status_code == 409
    page = text(response)
    assert "Er is net een plek vrijgekomen" in page
    assert 'name="billing_organisation"' in page and 'value="laat@example.nl"' in page
    assert count(programme) == 2  # the two from before; nobody new


def test_the_answer_to_the_form_is_said_by_the_page_it_leads_to_and_keeps_no_state(
    client, programme
):
    """The answer to the form comes with the address of the manage page it leads to, not in
    the session: neither the answer nor that page writes the session cookie, and the message
    follows the registration's status (the same address opened later says nothing untrue)."""
    response = post_form(client, programme)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.endswith("?ingeschreven=1")
    assert "Set-Cookie" not in response.headers  # the session is what the form page made
    page = client.get(location)
    assert "Set-Cookie" not in page.headers
    assert "Je bent ingeschreven: je plaats is bevestigd." in text(page)
    # Opened again: the same answer, for the registration is still what it says.
    assert "Je bent ingeschreven: je plaats is bevestigd." in text(client.get(location))
    # The manage link of the mails carries no such parameter, and shows no answer.
    bare = text(client.get(location.removesuffix("?ingeschreven=1")))
    assert "Je hebt een plaats." in bare and "Je bent ingeschreven" not in bare
    assert 'class="flash' not in bare
    # Only the form's own value counts.
    other = text(client.get(location.replace("=1", "=ja")))
    assert "Je bent ingeschreven" not in other
    # Once cancelled, the address of that moment no longer says the place is confirmed.
    registration = db.session.execute(select(Registration)).scalar_one()
    services.cancel_registration(registration, actor="participant")
    db.session.commit()
    page = text(client.get(location))
    assert "Je bent ingeschreven" not in page and "wachtlijst." not in page
    assert 'class="flash' not in page


def test_the_form_makes_its_token_only_when_it_is_shown(client, programme, monkeypatch):
    """An accepted registration is not shown again, so no new CSRF token is signed for it; a
    form shown again with its errors carries a token that the next POST passes with."""
    made = []
    generate = flask_wtf.csrf.generate_csrf
    monkeypatch.setattr(
        flask_wtf.csrf, "generate_csrf", lambda *a, **k: made.append(1) or generate(*a, **k)
    )
    url = f"/programma/{programme.slug}/inschrijven"
    token = csrf_from(text(client.get(url)))
    made.clear()
    again = client.post(url, data={**form_data(first_name=""), "csrf_token": token})
    assert again.status_code == 400 and len(made) == 1  # the page shows the form again
    shown = csrf_from(text(again))
    made.clear()
    accepted = client.post(url, data={**form_data(), "csrf_token": shown})
    assert accepted.status_code == 302, text(accepted)
    assert made == []  # nothing signed for a form that is not shown
    assert count(programme) == 1
