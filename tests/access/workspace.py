"""The trainer workspace: only the programme's trainers and the coordinators (issue 3)."""

from tests.access import Case, only

STAFF = {"trainer_x": 200, "trainer_y": 200, "coordinator": 200}
X_ONLY = {"trainer_x": 200, "coordinator": 200}  # trainer_y and participants: 403

CASES = [
    Case("workspace.index", lambda w: "/werkruimte/", only(STAFF)),
    Case("workspace.programme", lambda w: f"/werkruimte/{w.programme_x.id}", only(X_ONLY)),
    Case(
        "workspace.programme",
        lambda w: "/werkruimte/999999",
        only({}, others=404),
        note="unknown programme",
    ),
    Case(
        "workspace.participant",
        lambda w: f"/werkruimte/deelnemer/{w.registration_a.id}",
        only(X_ONLY),
        note="A's own notes are under 'mijn gegevens', not here",
    ),
    Case(
        "workspace.participant",
        lambda w: "/werkruimte/deelnemer/999999",
        only({}, others=404),
        note="unknown registration",
    ),
    Case(
        "workspace.add_note",
        lambda w: f"/werkruimte/deelnemer/{w.registration_a.id}/notities",
        only({"trainer_x": 302, "coordinator": 302}),
        method="POST",
        data=lambda w: {"body": "Belt terug over haar leervraag."},
        writes=("trainer_x", "coordinator"),
    ),
    Case(
        "workspace.export_csv",
        lambda w: f"/werkruimte/{w.programme_x.id}/deelnemers.csv",
        only(X_ONLY),
    ),
    Case(
        "workspace.export_xlsx",
        lambda w: f"/werkruimte/{w.programme_x.id}/deelnemers.xlsx",
        only(X_ONLY),
    ),
]
