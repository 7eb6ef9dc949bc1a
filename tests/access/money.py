"""Routes added for issue 11 (money, dates, mails): the confirmation before certificates are
issued is for the programme's trainers and the coordinators, like issuing itself."""

from tests.access import Case, only

CASES = [
    Case(
        "certificates.confirm_issue",
        lambda w: f"/werkruimte/{w.programme_x.id}/certificaten/uitreiken",
        only({"trainer_x": 200, "coordinator": 200}),
    ),
    Case(
        "certificates.confirm_issue",
        lambda w: "/werkruimte/999999/certificaten/uitreiken",
        only({}, others=404),
        note="unknown programme",
    ),
]
