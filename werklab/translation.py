"""Translating the interface's texts, for the code and for templates.

flask_babel's own gettext finds the translations through several context proxies on every
call, and its lazy strings translate twice when a template escapes them (once to look for
__html__, once for the text). A page with a table of labels spent more time there than in
its queries. These do the same work once, with the translations kept on the request's
Babel state next to the locale they belong to.

The state is read from the real `g`, not through the proxy: on Python 3.11 an attribute
looked up through a werkzeug LocalProxy costs some twenty times a plain one (the lookup
fails on the proxy first, which builds an AttributeError, then goes through __getattr__),
and this runs for every text on a page.
"""

from __future__ import annotations

from flask import g
from flask_babel import LazyString, get_translations
from flask_babel import get_locale as babel_get_locale
from markupsafe import Markup, escape


def _babel_state():
    """flask_babel's state of this app context (g._flask_babel), or None: no app context, or
    flask_babel has not been asked anything in it yet."""
    try:
        return g._get_current_object().get("_flask_babel")
    except RuntimeError:  # no app context
        return None


def get_locale():
    """As flask_babel.get_locale: the locale of this request (None outside one), chosen once
    by flask_babel and read here from its state."""
    locale = getattr(_babel_state(), "babel_locale", None)
    return locale if locale is not None else babel_get_locale()


def translations():
    """The translations of the current locale, as flask_babel.get_translations gives them.

    force_locale (mails in the addressee's language) puts a new locale object in place,
    which the identity check notices.
    """
    state = _babel_state()  # None: flask_babel decides
    locale = getattr(state, "babel_locale", None)
    if locale is None:  # no locale chosen yet in this context: flask_babel decides
        return get_translations()
    cached = getattr(state, "werklab_translations", None)
    if cached is not None and cached[0] is locale:
        return cached[1]
    found = get_translations()
    state.werklab_translations = (locale, found)
    return found


def gettext(string: str, **variables) -> str:
    """As flask_babel.gettext: the translation, formatted with `variables` if given."""
    text = translations().ugettext(string)
    return text % variables if variables else text


class LazyText(LazyString):
    """A text translated when it is shown, in the language of that moment."""

    def __html__(self) -> Markup:
        return escape(str(self))


def lazy_gettext(string: str, **variables) -> LazyText:
    return LazyText(gettext, string, **variables)
