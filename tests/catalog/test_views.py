"""Public pages: the catalogue and the programme page, in Dutch."""

from datetime import datetime, timedelta

import pytest

from werklab.catalog.models import ProgrammeKind, ProgrammeStatus
from werklab.catalog.services import SessionData, local_to_utc
from werklab.db import utcnow
from werklab.extensions import db


def text(response) -> str:
    return response.get_data(as_text=True)


def test_catalogue_lists_only_open_public_programmes(client, factories):
    cop = factories.programme(title="CoP Gelderland")
    factories.programme(title="Nog een concept", status=ProgrammeStatus.DRAFT)
    factories.programme(title="Gesloten CoP", status=ProgrammeStatus.CLOSED)
    factories.invitation_programme(kind=ProgrammeKind.WERKLAB, title="Werklab Gemeente Ede")
    page = text(client.get("/"))
    assert cop.title in page
    assert "Nog een concept" not in page
    assert "Gesloten CoP" not in page
    assert "Werklab Gemeente Ede" not in page
    assert "<h1>Trajecten</h1>" in page
    assert 'lang="nl"' in page


def test_catalogue_filters_by_kind(client, factories):
    factories.programme(title="CoP Utrecht")
    factories.programme(kind=ProgrammeKind.LEARNING_COMMUNITY, title="LG Utrecht")
    page = text(client.get("/?soort=lerende-gemeenschap"))
    assert "LG Utrecht" in page and "CoP Utrecht" not in page
    page = text(client.get("/?soort=cop"))
    assert "CoP Utrecht" in page and "LG Utrecht" not in page
    # An unknown kind shows everything rather than an error.
    page = text(client.get("/?soort=<script>"))
    assert "CoP Utrecht" in page and "LG Utrecht" in page
    assert "<script>" not in page


def test_programme_page_in_dutch(client, factories):
    start = local_to_utc(datetime(2027, 3, 2, 13, 30))
    programme = factories.programme(
        title="CoP Oost",
        fee_cents=75000,
        registration_deadline=local_to_utc(datetime(2027, 2, 1, 23, 59)),
        session_data=[
            SessionData(
                "Kennismaking",
                start,
                start + timedelta(hours=3),
                "Bibliotheek Zwolle",
                "Diezerstraat 80, 8011 RJ Zwolle",
            )
        ],
    )
    factories.fill(programme, 12)
    page = text(client.get(f"/programma/{programme.slug}"))
    assert "<h1>CoP Oost</h1>" in page
    assert "12 van 15 plaatsen bezet" in page
    assert "gaat door" in page
    assert "€\xa0750,00" in page
    assert "per deelnemer per jaar" in page
    assert "dinsdag 2 maart 2027, 13:30–16:30" in page
    assert "Bibliotheek Zwolle, Diezerstraat 80, 8011 RJ Zwolle" in page
    assert "maandag 1 februari 2027, 23:59" in page
    assert "Inschrijven" in page


@pytest.mark.parametrize(
    ("count", "label", "button"),
    [
        (3, "onder voorbehoud", "Inschrijven"),
        (10, "gaat door", "Inschrijven"),
        (15, "vol — wachtlijst", "Aanmelden voor de wachtlijst"),
    ],
)
def test_programme_status_label(client, factories, count, label, button):
    programme = factories.programme()
    factories.fill(programme, count)
    page = text(client.get(f"/programma/{programme.slug}"))
    assert label in page
    assert button in page
    assert f"{count} van 15 plaatsen bezet" in page


def test_programme_page_after_deadline_has_no_register_button(client, factories):
    programme = factories.programme(registration_deadline=utcnow() - timedelta(hours=1))
    page = text(client.get(f"/programma/{programme.slug}"))
    assert "De inschrijftermijn is voorbij." in page
    assert f"/programma/{programme.slug}/inschrijven" not in page


def test_draft_and_unknown_programmes_are_not_found(client, factories):
    draft = factories.programme(status=ProgrammeStatus.DRAFT)
    assert client.get(f"/programma/{draft.slug}").status_code == 404
    response = client.get("/programma/bestaat-niet")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in text(response)


def test_invitation_only_programme_needs_the_token(client, factories):
    programme = factories.invitation_programme(kind=ProgrammeKind.WERKLAB)
    assert client.get(f"/programma/{programme.slug}").status_code == 404
    assert client.get(f"/programma/{programme.slug}?uitnodiging=raden").status_code == 404
    response = client.get(f"/programma/{programme.slug}?uitnodiging={programme.invitation_token}")
    assert response.status_code == 200
    assert "Op de koffie bij bewonersinitiatieven" in text(response)
    assert f"inschrijven?uitnodiging={programme.invitation_token}" in text(response)


def test_english_is_the_second_language(client, programme):
    response = client.get(f"/taal/en?next=/programma/{programme.slug}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/programma/{programme.slug}"
    page = text(client.get(f"/programma/{programme.slug}"))
    assert "0 of 15 seats taken" in page
    assert 'lang="en"' in page
    client.get("/taal/nl")
    assert "0 van 15 plaatsen bezet" in text(client.get(f"/programma/{programme.slug}"))


@pytest.mark.parametrize(
    "target", ["//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)"]
)
def test_language_switch_only_redirects_inside_the_site(client, target):
    response = client.get("/taal/en", query_string={"next": target})
    assert response.headers["Location"] == "/"


def test_unknown_language_is_not_found(client):
    assert client.get("/taal/xx").status_code == 404


def test_privacy_statement(client):
    response = client.get("/privacy")
    assert response.status_code == 200
    assert "dieetwensen" in text(response).lower()


@pytest.mark.parametrize("path", ["/", "/programma/{slug}"])
def test_query_count_does_not_grow_with_registrations(client, factories, count_queries, path):
    small = factories.programme()
    factories.fill(small, 3)
    with count_queries() as few:
        assert client.get(path.format(slug=small.slug)).status_code == 200
    big = factories.programme(min_participants=1, max_participants=15)
    factories.fill(big, 60)  # 15 seated, 45 waiting
    factories.programme()  # and one more programme in the catalogue
    with count_queries() as many:
        assert client.get(path.format(slug=big.slug)).status_code == 200
    assert len(many) == len(few), (few, many)
    assert len(few) <= 3, few  # the page's version, the programme, its rotating hosts


class TestProgrammePageCache:
    """The programme page is cached per worker; every change must show at once."""

    def get(self, client, programme) -> str:
        return text(client.get(f"/programma/{programme.slug}"))

    def test_new_registration_shows_at_once(self, app, client, factories):
        programme = factories.programme()
        assert "0 van 15 plaatsen bezet" in self.get(client, programme)
        assert "0 van 15 plaatsen bezet" in self.get(client, programme)  # from the cache
        assert len(app.extensions["werklab.programme_pages"]) >= 1
        factories.registration(programme)
        assert "1 van 15 plaatsen bezet" in self.get(client, programme)

    def test_changed_session_and_programme_show_at_once(self, client, factories):
        programme = factories.programme()
        assert "Thema 1" in self.get(client, programme)
        programme.sessions[0].theme = "Op bezoek bij de Voedselbank"
        db.session.flush()
        assert "Op bezoek bij de Voedselbank" in self.get(client, programme)
        programme.title = "CoP Nieuwe Naam"
        db.session.flush()
        assert "<h1>CoP Nieuwe Naam</h1>" in self.get(client, programme)

    def test_passing_deadline_shows_without_any_change_in_the_data(
        self, client, factories, monkeypatch
    ):
        programme = factories.programme(registration_deadline=utcnow() + timedelta(hours=1))
        assert f"/programma/{programme.slug}/inschrijven" in self.get(client, programme)
        import werklab.public.catalog as views

        monkeypatch.setattr(views, "utcnow", lambda: utcnow() + timedelta(hours=2))
        page = self.get(client, programme)
        assert "De inschrijftermijn is voorbij." in page
        assert f"/programma/{programme.slug}/inschrijven" not in page

    def test_languages_are_cached_apart(self, client, programme):
        assert "plaatsen bezet" in self.get(client, programme)
        client.get("/taal/en")
        assert "seats taken" in self.get(client, programme)
        client.get("/taal/nl")
        assert "plaatsen bezet" in self.get(client, programme)

    def test_a_personal_message_is_never_cached(self, app, client, programme):
        self.get(client, programme)  # cached without a message
        with client.session_transaction() as session:
            session["_flashes"] = [("info", "Alleen voor jou")]
        assert "Alleen voor jou" in self.get(client, programme)
        other = app.test_client()
        assert "Alleen voor jou" not in self.get(other, programme)

    def test_cache_is_bounded(self, app, client, factories):
        from werklab.pagecache import PageCache

        cache = PageCache(maxsize=2)
        for i in range(5):
            cache.get_or_render(i, lambda i=i: str(i))
        assert len(cache) == 2
        assert cache.get_or_render(4, lambda: "new") == "4"
