"""Text that people typed, as a page shows it."""

from __future__ import annotations

from markupsafe import Markup, escape

from werklab.fields import normalize_newlines

_BREAK = Markup("<br>")


def paragraphs(text: str | None) -> Markup:
    """Paragraphs separated by a blank line, each as <p>; a single line break stays a line
    break (<br>). Every line is escaped. Text stored before line breaks were normalised may
    still hold "\\r\\n".

    A filter rather than a macro: a page that shows typed text then needs no import of the
    macros, and a filter call costs a fraction of a macro's.
    """
    normal = normalize_newlines(text or "")
    return Markup("").join(
        Markup("<p>%s</p>") % _BREAK.join(escape(line) for line in para.strip().split("\n"))
        for para in normal.split("\n\n")
        if para.strip()
    )
