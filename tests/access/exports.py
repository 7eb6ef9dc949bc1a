"""Issue 13, exports: the attendance matrix and a programme's certificates for its trainers
and the coordinators; every programme's certificates, the werklab requests and the invoices
(CSV and XLSX) for coordinators only."""

from tests.access import Case, only

X_ONLY = only({"trainer_x": 200, "coordinator": 200})  # trainer_y and participants: 403
COORDINATOR = only({"coordinator": 200})
UNKNOWN = only({}, others=404)


def _per_programme(endpoint: str, path: str) -> list[Case]:
    return [
        Case(endpoint, lambda w: f"/werkruimte/{w.programme_x.id}/{path}", X_ONLY),
        Case(
            endpoint,
            lambda w: f"/werkruimte/{w.programme_y.id}/{path}",
            only({"trainer_y": 200, "coordinator": 200}),
            note="another programme: trainer_x is refused",
        ),
        Case(endpoint, lambda w: f"/werkruimte/999999/{path}", UNKNOWN, note="unknown programme"),
    ]


CASES = [
    *_per_programme("attendance.matrix_csv", "presentie.csv"),
    *_per_programme("attendance.matrix_xlsx", "presentie.xlsx"),
    *_per_programme("certificates.export_csv", "certificaten.csv"),
    *_per_programme("certificates.export_xlsx", "certificaten.xlsx"),
    Case("certificates.export_all_csv", lambda w: "/beheer/certificaten.csv", COORDINATOR),
    Case("certificates.export_all_xlsx", lambda w: "/beheer/certificaten.xlsx", COORDINATOR),
    Case("intake.export_csv", lambda w: "/beheer/aanvragen.csv", COORDINATOR),
    Case("intake.export_xlsx", lambda w: "/beheer/aanvragen.xlsx", COORDINATOR),
    Case(
        "intake.export_xlsx",
        lambda w: "/beheer/aanvragen.xlsx?status=accepted",
        COORDINATOR,
        note="one stage",
    ),
    Case("invoicing.export_xlsx", lambda w: "/beheer/facturen/export.xlsx", COORDINATOR),
]
