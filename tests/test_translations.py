"""The Dutch catalogue is complete and correct, and the pages speak Dutch by default.

The .mo files are build output (git-ignored): `ensure_compiled()` compiles the .po files into
place when a .mo is missing or older than its .po, so these tests also run on a fresh checkout.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import flask_babel
import pytest
from babel.messages.pofile import read_po
from flask import session, url_for
from flask_babel import get_babel

from tests.conftest import outbox
from tests.i18n_support import TRANSLATIONS, ensure_compiled
from werklab.translation import get_locale

ROOT = Path(__file__).resolve().parent.parent
NL_PO = TRANSLATIONS / "nl" / "LC_MESSAGES" / "messages.po"

#: The same options as the documented extraction command:
#: pybabel extract -F babel.cfg -k lazy_gettext -k _l -o werklab/translations/messages.pot .
EXTRACT_ARGS = ["-F", "babel.cfg", "-k", "lazy_gettext", "-k", "_l"]
UPDATE_HINT = (
    "run `pybabel extract -F babel.cfg -k lazy_gettext -k _l -o werklab/translations/messages.pot ."
    " && pybabel update -i werklab/translations/messages.pot -d werklab/translations"
    " --no-fuzzy-matching` and translate the new entries"
)

#: %(name)s, %(num)d, %s, %%: everything the % operator gives a meaning.
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogues(app):
    """Compile into place, then drop translations Flask-Babel cached before the .mo existed."""
    ensure_compiled()
    with app.app_context():
        get_babel(app).instance.domain_instance.cache.clear()


@pytest.fixture(scope="module")
def fresh_template(tmp_path_factory):
    """Extract the messages from the current source into a throwaway .pot."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            *EXTRACT_ARGS,
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    with pot.open("rb") as f:
        return read_po(f)


@pytest.fixture(scope="module")
def nl_catalog():
    with NL_PO.open("rb") as f:
        return read_po(f, locale="nl")


def _forms(value) -> tuple[str, ...]:
    if isinstance(value, (tuple, list)):
        return tuple(value)
    return (value,)


def _placeholders(text: str) -> Counter:
    found = Counter(PLACEHOLDER.findall(text))
    found["number of % signs"] = text.count("%")  # a stray % breaks formatting in templates
    return found


def _label(message) -> str:
    return repr(_forms(message.id)[0])


# --- the catalogue ---------------------------------------------------------------------------


def test_extraction_finds_all_kinds_of_calls(fresh_template):
    """babel.cfg and the keywords pick up _(), _l() / lazy_gettext(), ngettext() and templates."""
    locations = {path for message in fresh_template for path, _line in message.locations}
    assert any(p.startswith("templates/") and p.endswith(".html") for p in locations)
    assert any(p.startswith("templates/mail/") and p.endswith(".txt") for p in locations)
    assert "werklab/catalog/labels.py" in locations  # _l(...)
    assert "werklab/errors.py" in locations  # _(...)
    assert any(message.pluralizable for message in fresh_template if message.id)  # ngettext


def test_every_message_has_a_dutch_translation(fresh_template, nl_catalog):
    missing, incomplete = [], []
    for message in fresh_template:
        if not message.id:
            continue
        translated = nl_catalog.get(message.id, message.context)
        if translated is None:
            missing.append(_label(message))
            continue
        forms = _forms(translated.string)
        expected = nl_catalog.num_plurals if message.pluralizable else 1
        if len(forms) != expected or not all(form and form.strip() for form in forms):
            incomplete.append(_label(message))
    assert not missing, f"not in the nl catalogue ({UPDATE_HINT}): {missing}"
    assert not incomplete, f"empty or missing plural forms in the nl catalogue: {incomplete}"


def test_no_fuzzy_or_stale_entries(fresh_template, nl_catalog):
    assert not nl_catalog.fuzzy, "the header of the nl catalogue is marked fuzzy"
    fuzzy = [_label(m) for m in nl_catalog if m.id and m.fuzzy]
    assert not fuzzy, f"fuzzy entries need a translator's check: {fuzzy}"
    stale = [_label(m) for m in nl_catalog if m.id and fresh_template.get(m.id, m.context) is None]
    assert not stale, f"entries no longer in the source ({UPDATE_HINT}): {stale}"


def test_placeholders_match(nl_catalog):
    wrong = []
    for message in nl_catalog:
        if not message.id:
            continue
        sources = _forms(message.id)
        for index, form in enumerate(_forms(message.string)):
            if not form:
                continue
            source = sources[min(index, len(sources) - 1)]
            if _placeholders(form) != _placeholders(source):
                wrong.append(f"{source!r} -> {form!r}")
    assert not wrong, "placeholders differ from the msgid:\n" + "\n".join(wrong)
    # Babel's own checks (python-format, number of plural forms).
    errors = [f"{m.id!r}: {errs}" for m, errs in nl_catalog.check()]
    assert not errors, "\n".join(errors)


def test_plural_forms_header(nl_catalog):
    assert nl_catalog.num_plurals == 2
    assert nl_catalog.plural_expr.replace(" ", "") == "(n!=1)"


def test_compiled_catalogue_is_current():
    ensure_compiled()
    mo = NL_PO.with_suffix(".mo")
    assert mo.exists()
    assert mo.stat().st_mtime >= NL_PO.stat().st_mtime


# --- the pages -------------------------------------------------------------------------------


def _programme_url(app, programme) -> str:
    with app.test_request_context():
        return url_for("catalog.programme", slug=programme.slug)


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_catalogue_and_programme_page_speak_dutch_by_default(app, client, programme, factories):
    factories.fill(programme, 2)

    html = _text(client.get("/"))
    assert '<html lang="nl">' in html
    assert "Trajecten" in html
    assert f"2 van {programme.max_participants} plaatsen bezet" in html
    assert "per deelnemer per jaar" in html
    assert "€\u00a0750,00" in html  # Dutch amount, with a non-breaking space
    assert "3 bijeenkomsten" in html
    assert "onder voorbehoud" in html
    assert "seats taken" not in html

    html = _text(client.get(_programme_url(app, programme)))
    assert "plaatsen bezet" in html
    assert "Inschrijven" in html
    assert "Bijeenkomsten" in html
    assert "Community of Practice" in html
    assert "Register" not in html


def test_pages_switch_to_english(app, client, programme):
    url = _programme_url(app, programme)
    response = client.get("/taal/en", query_string={"next": url})
    assert response.status_code == 302

    html = _text(client.get(url))
    assert '<html lang="en">' in html
    assert "seats taken" in html
    assert "Register" in html
    assert "plaatsen bezet" not in html

    html = _text(client.get("/"))
    assert "Programmes" in html
    assert "seats taken" in html

    client.get("/taal/nl")
    assert "plaatsen bezet" in _text(client.get("/"))


def test_registration_form_and_errors_speak_dutch(app, client, programme):
    with app.test_request_context():
        form_url = url_for("registration.register", slug=programme.slug)
    html = _text(client.get(form_url))
    assert "Voornaam" in html
    assert "Je leervraag" in html
    assert "Kies een sector" in html
    assert "Maatschappelijke organisatie" in html

    response = client.get("/deze-pagina-bestaat-niet")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.get_data(as_text=True)


def test_mail_is_written_in_dutch(programme, factories):
    factories.fill(programme, 1)
    mail = outbox("registration.confirmed")[-1]
    assert mail.subject == f"Je plaats bij {programme.title} is bevestigd"
    assert mail.body_text.startswith("Beste ")
    assert "De bijeenkomsten:" in mail.body_text


def test_werklab_get_locale_is_flask_babels(app):
    """werklab.translation.get_locale reads flask_babel's state from the real g: the same
    answer as flask_babel's, per request, under force_locale, and outside a request (each
    request gets an app context of its own, as it does when served)."""
    for lang in ("nl", "en"):
        with app.app_context(), app.test_request_context("/"):
            session["lang"] = lang
            assert str(get_locale()) == lang == str(flask_babel.get_locale())
            with flask_babel.force_locale("nl" if lang == "en" else "en"):
                assert get_locale() is flask_babel.get_locale()
                assert str(get_locale()) != lang
            assert str(get_locale()) == lang  # and back after it
    with app.app_context():  # no request: flask_babel's answer (the default)
        assert get_locale() is flask_babel.get_locale()
        assert str(get_locale()) == app.config["BABEL_DEFAULT_LOCALE"]
