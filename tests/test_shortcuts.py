"""The shortcuts that pages take for translation, typed text, signed links, headers and the
session cookie give what the longer ways gave: the same text, escaped the same way, in the
current language, signed with the current keys."""

from __future__ import annotations

import pytest
from flask import Response, render_template_string
from flask_babel import force_locale
from flask_babel import gettext as babel_gettext
from flask_babel import ngettext as babel_ngettext
from markupsafe import Markup

from tests.i18n_support import ensure_compiled
from werklab import links
from werklab.registration.labels import SECTOR_LABELS
from werklab.registration.models import Sector
from werklab.text import paragraphs
from werklab.translation import gettext, lazy_gettext


def test_template_gettext_translates_escapes_variables_and_formats_as_jinja_did(app):
    ensure_compiled()
    with app.test_request_context("/"), force_locale("nl"):
        page = render_template_string(
            "{{ _('Sign in') }}|{{ _('Dear %(name)s,', name=name) }}|{{ _('50%% off') }}",
            name="<b>Anna</b>",
        )
        assert page == (
            f"{babel_gettext('Sign in')}|"
            + babel_gettext("Dear %(name)s,", name="&lt;b&gt;Anna&lt;/b&gt;")
            + "|50% off"
        )
        assert page.startswith("Inloggen|Beste &lt;b&gt;")
        # The text's own markup stays markup; only the variables are escaped.
        marked = render_template_string("{{ _('<em>%(name)s</em>', name=name) }}", name="<b>")
        assert marked == "<em>&lt;b&gt;</em>"
        # Without escaping (the mails' .txt templates) the variables stay as they are.
        app.jinja_env.autoescape = False
        try:
            plain = app.jinja_env.from_string("{{ _('Dear %(name)s,', name=name) }}")
            assert plain.render(name="<b>Anna</b>") == "Beste <b>Anna</b>,"
            one, many = "%(num)d session", "%(num)d sessions"
            count = app.jinja_env.from_string("{{ ngettext(one, many, n) }}")
            for n, dutch in ((1, "1 bijeenkomst"), (3, "3 bijeenkomsten")):
                shown = count.render(one=one, many=many, n=n)
                assert shown == babel_ngettext(one, many, n) == dutch
        finally:
            app.jinja_env.autoescape = True


def test_gettext_and_lazy_texts_follow_the_language_of_the_moment(app):
    ensure_compiled()
    label = lazy_gettext("Sign in")
    with app.test_request_context("/"):
        with force_locale("nl"):
            assert gettext("Sign in") == "Inloggen" == str(label)
            assert gettext("Dear %(name)s,", name="Anna") == "Beste Anna,"
        with force_locale("en"):
            assert str(label) == "Sign in"
            assert str(SECTOR_LABELS[Sector.GOVERNMENT]) == "Government"
        with force_locale("nl"):
            # A template escapes a lazy text once, translated.
            evil = lazy_gettext("<script>%(x)s</script>", x="&")
            assert render_template_string("{{ t }}", t=evil) == "&lt;script&gt;&amp;&lt;/script&gt;"
            assert render_template_string("{{ t }}", t=SECTOR_LABELS[Sector.GOVERNMENT]) == str(
                SECTOR_LABELS[Sector.GOVERNMENT]
            )
    # Outside a request it gives what flask_babel gives (the default language).
    assert gettext("Sign in") == babel_gettext("Sign in") == "Inloggen"


def test_paragraphs_split_on_blank_lines_keep_line_breaks_and_escape():
    typed = "Eerste <b>alinea</b>.\r\nTweede regel & meer.\r\n\r\n\r\n  \n\nLaatste."
    assert paragraphs(typed) == Markup(
        "<p>Eerste &lt;b&gt;alinea&lt;/b&gt;.<br>Tweede regel &amp; meer.</p><p>Laatste.</p>"
    )
    assert paragraphs(None) == paragraphs("") == paragraphs(" \n\n ") == Markup("")


def test_a_remembered_token_is_the_one_signing_gives_and_a_bad_one_stays_bad(app):
    with app.app_context():
        token = links.sign("key-1", salt="test")
        assert links.sign("key-1", salt="test") == token
        assert links.unsign(token, salt="test") == "key-1"
        assert links.unsign(token, salt="other") is None  # a token of another kind
        assert links.unsign(token[:-1] + ("A" if token[-1] != "A" else "B"), salt="test") is None
        app.config["SECRET_KEY"], secret = "another-secret", app.config["SECRET_KEY"]
        try:  # a new secret key makes every earlier link invalid, remembered or not
            assert links.unsign(token, salt="test") is None
            assert links.sign("key-1", salt="test") != token
        finally:
            app.config["SECRET_KEY"] = secret
        assert links.unsign(token, salt="test") == "key-1"


def test_security_headers_are_added_once_and_a_view_keeps_its_own(client, app):
    response = client.get("/")
    for name in ("X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"):
        assert len(response.headers.getlist(name)) == 1
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]

    with app.test_request_context("/"):  # a view that sets its own keeps it
        own = app.process_response(Response("ok", headers={"x-frame-options": "SAMEORIGIN"}))
        unavailable = app.process_response(Response("later", status=503))
    assert own.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert unavailable.headers["Retry-After"] == "2"
    assert "Retry-After" not in response.headers


def test_the_session_cookie_follows_the_secret_key_and_its_fallbacks(client, app):
    with client.session_transaction() as session:
        session["lang"] = "en"
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    old = app.secret_key
    try:
        app.config["SECRET_KEY"] = "a-new-secret-key-for-this-test"
        # Signed with the old key: not accepted, so the page is in the default language.
        assert '<html lang="nl">' in client.get("/").get_data(as_text=True)
        app.config["SECRET_KEY_FALLBACKS"] = [old]
        assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    finally:
        app.config["SECRET_KEY"] = old
        app.config["SECRET_KEY_FALLBACKS"] = []


def test_templates_read_the_environments_globals_and_keep_their_own_to_themselves(app):
    env = app.jinja_env
    with app.test_request_context("/"):
        template = env.from_string("{{ werklab_test_late|default('none') }}")
        assert template.render() == "none"
        env.globals["werklab_test_late"] = "reached"  # added after the template was made
        try:
            assert template.render() == "reached"
            own = env.from_string("{{ only_here }}", globals={"only_here": "mine"})
            assert own.render() == "mine"
            assert "only_here" not in env.globals
            with pytest.raises(TypeError, match="no globals of their own"):
                env.get_template("base.html", globals={"leak": 1})
            with pytest.raises(TypeError, match="no globals of their own"):
                env.select_template(["base.html"], globals={"leak": 1})
            assert "leak" not in env.globals
        finally:
            del env.globals["werklab_test_late"]
