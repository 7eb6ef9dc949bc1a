"""Translating the interface's texts, for the code and for templates.

flask_babel's own gettext finds the translations through several context proxies on every
call, and its lazy strings translate twice when a template escapes them (once to look for
__html__, once for the text). A page with a table of labels spent more time there than in
its queries. These do the same work once, with the translations kept on the request's
Babel state next to the locale they belong to.
"""

from __future__ import annotations

from flask import g
from flask_babel import LazyString, get_translations
from markupsafe import Markup, escape


def translations():
    """The translations of the current locale, as flask_babel.get_translations gives them.

    force_locale (mails in the addressee's language) puts a new locale object in place,
    which the identity check notices.
    """
    state = g.get("_flask_babel") if g else None  # no app context: flask_babel decides
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
