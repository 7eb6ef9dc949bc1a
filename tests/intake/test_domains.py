"""E-mail domains of an invitation-only werklab (the registration check lives in
werklab.registration.signup.check_email_domain)."""

from __future__ import annotations

import pytest

from tests.intake.conftest import NOW, acceptance
from werklab.errors import DomainError
from werklab.intake import services
from werklab.registration.signup import DomainNotAllowed, check_email_domain


def test_parse_domains():
    assert services.parse_domains(" @Arnhem.NL; arnhem.nl\nwijk-noord.arnhem.nl ") == [
        "arnhem.nl",
        "wijk-noord.arnhem.nl",
    ]
    assert services.parse_domains("") == []
    for bad in ("arnhem", "a@b.nl", "-x.nl", "x..nl"):
        with pytest.raises(DomainError):
            services.parse_domains(bad)


def test_only_restricted_invitation_programmes_check_the_domain(factories, sent_quote, booking):
    public = factories.programme()
    services.set_allowed_domains(public, ["arnhem.nl"], actor="test", now=NOW)
    check_email_domain(public, "iemand@gmail.com")  # public programmes: no restriction

    services.accept_quote(sent_quote, acceptance(), now=NOW)
    werklab = booking.programme
    check_email_domain(werklab, "iemand@gmail.com")  # not restricted yet
    services.set_allowed_domains(werklab, ["arnhem.nl"], actor="test", now=NOW)
    check_email_domain(werklab, "Iemand@ARNHEM.nl ")
    with pytest.raises(DomainNotAllowed, match="@arnhem.nl"):
        check_email_domain(werklab, "iemand@arnhem.nl.evil.example")
    services.set_allowed_domains(werklab, [], actor="test", now=NOW)
    check_email_domain(werklab, "iemand@gmail.com")
