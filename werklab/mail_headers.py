"""Address headers (From, To, Reply-To) that can only ever name the address they were made for.

A display name comes from people (a registration's name, an organisation on an invoice) and
may hold commas, quotes, line breaks or 200 characters. `email.utils.formataddr` and
`email.headerregistry.Address` quote it correctly, but Python 3.11's header folder
(policy.default) then refolds the quoted name when it is long or not ASCII and drops the
quotes: `"Gemeente Deventer, afd. Financiën" <a@b>` goes out as
`Gemeente Deventer, afd. =?utf-8?q?Financi=C3=ABn?= <a@b>`, two addresses, and
`Jan "x" Vries, attacker@evil.example, <long name>` adds attacker@evil.example to the To:
line and to the envelope (CPython gh-80222 and gh-121284, fixed only in later releases).

So the value is made here, once and completely: a quoted-string when the name is
ASCII (formataddr's value, folded at its spaces), otherwise RFC 2047 encoded-words of at most
75 characters, one per line; in neither form can a comma or a quote act as a separator. The
message's policy (`MAIL_POLICY`) writes such a prepared value as it is instead of refolding
it. Envelope recipients never come from a header (see mail._send).
"""

from __future__ import annotations

import base64
import re
from email.policy import EmailPolicy
from email.utils import formataddr, getaddresses

#: Control characters (C0, DEL, C1) and Unicode line and paragraph separators.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
#: What an address may be made of here: no white space, no specials that end an address.
_ADDRESS = re.compile(r"[^\s<>(),;:\"\[\]\\@]+@[^\s<>(),;:\"\[\]\\@]+\.[^\s<>(),;:\"\[\]\\@]+")
#: Longest display name kept; longer ones are cut (a header line stays readable).
MAX_NAME = 256
#: Payload bytes per encoded-word: 45 bytes are 60 base64 characters, so that
#: "=?utf-8?b?" + 60 + "?=" is 72 characters, within RFC 2047's 75.
_WORD_BYTES = 45
#: Header lines stay within RFC 5322's recommended 78 characters where they can.
_LINE = 78


class PreparedHeader(str):
    """A header value made by this module: written out exactly as it is (see MailPolicy)."""


class MailPolicy(EmailPolicy):
    """policy.default, except that a PreparedHeader is stored and written unchanged."""

    def header_store_parse(self, name, value):
        if isinstance(value, PreparedHeader):
            return (name, str(value))
        return super().header_store_parse(name, value)


#: refold_source="none": values stored as plain strings (only PreparedHeader ones) are not
#: refolded; every other header is a header object and folds itself as usual.
MAIL_POLICY = MailPolicy(refold_source="none")


def clean_name(name: str | None) -> str:
    """A display name on one line: control characters and line breaks become spaces, runs of
    white space one space, at most MAX_NAME characters."""
    return " ".join(_CONTROL.sub(" ", name or "").split())[:MAX_NAME].strip()


def clean_text(text: str | None) -> str:
    """Free text for an unstructured header (Subject) on one line."""
    return " ".join(_CONTROL.sub(" ", text or "").split())


def check_address(addr: str) -> str:
    """The address as it goes on the envelope; ValueError when it could name more than one
    mailbox or is not an address at all. A non-ASCII domain is written in IDNA form."""
    addr = (addr or "").strip()
    local, at, domain = addr.rpartition("@")
    if at and domain and not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise ValueError(f"not a mail address: {addr!r}") from exc
        addr = f"{local}@{domain}"
    if not addr.isascii() or not _ADDRESS.fullmatch(addr):
        raise ValueError(f"not a mail address: {addr!r}")
    return addr


def _encoded_words(name: str) -> list[str]:
    """`name` as RFC 2047 base64 encoded-words, never splitting a character."""
    words, chunk = [], b""
    for char in name:
        data = char.encode("utf-8")
        if len(chunk) + len(data) > _WORD_BYTES:
            words.append(chunk)
            chunk = b""
        chunk += data
    if chunk:
        words.append(chunk)
    return [f"=?utf-8?b?{base64.b64encode(w).decode('ascii')}?=" for w in words]


def _fold(value: str, first: int) -> str:
    """Break `value` at spaces into lines of at most 78 characters where it can (the first
    line holds `first` characters of header name already). Unfolding gives back `value`: a
    fold is a line break before an existing space, allowed inside a quoted-string too."""
    lines, line, room = [], "", _LINE - first
    for token in value.split(" "):
        if line and len(line) + 1 + len(token) > room:
            lines.append(line)
            line, room = token, _LINE - 1
        else:
            line = f"{line} {token}" if line else token
    lines.append(line)
    return "\n ".join(lines)


def address_header(name: str | None, addr: str, *, header: str = "To") -> PreparedHeader:
    """One mailbox for the `header` header: `addr` with `name` shown, never more."""
    addr = check_address(addr)
    name = clean_name(name)
    if not name:
        return PreparedHeader(addr)
    if name.isascii() and "=?" not in name:
        # "name" <addr> (or name <addr> when the name has no specials), folded at spaces.
        return PreparedHeader(_fold(formataddr((name, addr)), len(header) + 2))
    # Not ASCII, or looks like an encoded-word itself (shown literally this way).
    # Adjacent encoded-words make one name (the white space between them is not part of
    # it, RFC 2047 section 6.2); each goes on its own line.
    return PreparedHeader("\n ".join([*_encoded_words(name), f"<{addr}>"]))


def addresses_header(mailboxes: list[tuple[str, str]], *, header: str) -> PreparedHeader:
    """Several mailboxes (e.g. Reply-To to every coordinator), one per line."""
    return PreparedHeader(
        ",\n ".join(address_header(name, addr, header=header) for name, addr in mailboxes)
    )


def parse_mailboxes(value: str) -> list[tuple[str, str]]:
    """(name, address) pairs from a configured value such as
    'werklab <noreply@werklab.example>, Team <team@werklab.example>'."""
    return [(name, addr) for name, addr in getaddresses([value or ""]) if addr]


__all__ = [
    "MAIL_POLICY",
    "PreparedHeader",
    "address_header",
    "addresses_header",
    "check_address",
    "clean_name",
    "clean_text",
    "parse_mailboxes",
]
