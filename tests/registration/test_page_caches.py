"""The registration form and the manage page's session list are rendered once per version of
the programme's data (issue 12, item 6): every visitor still gets their own CSRF token and
every change shows at once."""

from datetime import timedelta

from flask import render_template_string
from flask_babel import force_locale
from sqlalchemy import select

from tests.conftest import csrf_from
from tests.registration.test_views import form_data
from werklab.db import utcnow
from werklab.extensions import db
from werklab.registration import services
from werklab.registration.models import Registration
from werklab.registration.models import RegistrationStatus as S


def text(response) -> str:
    return response.get_data(as_text=True)


def form_url(programme) -> str:
    return f"/programma/{programme.slug}/inschrijven"


class TestRegistrationFormCache:
    def test_each_visitor_gets_their_own_token_and_can_register(self, app, factories):
        programme = factories.programme()
        first, second = app.test_client(), app.test_client()
        first_page = text(first.get(form_url(programme)))
        second_page = text(second.get(form_url(programme)))
        assert len(app.extensions["werklab.registration_forms"]) >= 1  # the second: cached
        first_token, second_token = csrf_from(first_page), csrf_from(second_page)
        assert first_token != second_token
        assert "__werklab_csrf_token__" not in first_page + second_page
        # Apart from the token, the two pages are the same page.
        assert first_page.replace(first_token, "") == second_page.replace(second_token, "")

        # A token only works in its own session: the cached page never hands out another's.
        stolen = second.post(form_url(programme), data={**form_data(), "csrf_token": first_token})
        assert stolen.status_code == 400
        answer = second.post(form_url(programme), data={**form_data(), "csrf_token": second_token})
        assert answer.status_code == 302, text(answer)
        stored = db.session.execute(
            select(Registration).where(Registration.programme_id == programme.id)
        ).scalar_one()
        assert (stored.email, stored.status) == ("lotte.bakker@example.nl", S.CONFIRMED)

    def test_a_full_programme_shows_the_waiting_list_form_at_once(self, client, factories):
        programme = factories.programme(min_participants=1, max_participants=1)
        assert "Inschrijven voor" in text(client.get(form_url(programme)))
        factories.registration(programme)
        page = text(client.get(form_url(programme)))
        assert "Op de wachtlijst voor" in page
        assert "Betaling" not in page

    def test_changes_and_languages_show_at_once(self, client, factories):
        programme = factories.programme()
        assert programme.title in text(client.get(form_url(programme)))
        programme.title = "CoP Nieuwe Naam"
        db.session.flush()
        assert "Inschrijven voor CoP Nieuwe Naam" in text(client.get(form_url(programme)))
        client.get("/taal/en")
        assert "Register for CoP Nieuwe Naam" in text(client.get(form_url(programme)))

    def test_closing_time_is_not_cached(self, client, factories, monkeypatch):
        programme = factories.programme(registration_deadline=utcnow() + timedelta(hours=1))
        assert client.get(form_url(programme)).status_code == 200
        import werklab.public.registration as views

        monkeypatch.setattr(views, "utcnow", lambda: utcnow() + timedelta(hours=2))
        assert client.get(form_url(programme)).status_code == 409

    def test_a_message_for_this_visitor_is_never_cached(self, app, client, programme):
        client.get(form_url(programme))  # cached without a message
        with client.session_transaction() as session:
            session["_flashes"] = [("info", "Alleen voor jou")]
        assert "Alleen voor jou" in text(client.get(form_url(programme)))
        assert "Alleen voor jou" not in text(app.test_client().get(form_url(programme)))


class TestManagePageSessions:
    def test_a_moved_session_shows_at_once(self, client, factories):
        programme = factories.programme()
        registration = factories.registration(programme)
        url = f"/inschrijving/{services.manage_token(registration)}"
        assert "Thema 1" in text(client.get(url))
        assert "Thema 1" in text(client.get(url))  # from the cache
        programme.sessions[0].theme = "Op bezoek bij de Voedselbank"
        db.session.flush()
        page = text(client.get(url))
        assert "Op bezoek bij de Voedselbank" in page
        assert "Thema 1<" not in page

    def test_languages_are_kept_apart(self, client, factories):
        programme = factories.programme()
        registration = factories.registration(programme)
        url = f"/inschrijving/{services.manage_token(registration)}"
        first = programme.sessions[0].starts_at
        client.get("/taal/nl")
        dutch = text(client.get(url))
        client.get("/taal/en")
        english = text(client.get(url))
        assert first.strftime("%Y") in dutch and first.strftime("%Y") in english
        dutch_days = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag")
        english_days = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
        assert any(day in dutch for day in dutch_days + ("zondag",))
        assert any(day in english for day in english_days + ("Sunday",))


def test_template_translations_follow_a_forced_locale(app):
    """Templates keep the translations per request; a mail in another language
    (force_locale) must still get its own language, and the page its own after it."""
    with app.test_request_context():
        assert render_template_string("{{ _('Sign in') }}") == "Inloggen"
        with force_locale("en"):
            assert render_template_string("{{ _('Sign in') }}") == "Sign in"
        assert render_template_string("{{ _('Sign in') }}") == "Inloggen"
