"""Attendance register and attendance sheet: the programme's trainers and coordinators."""

from tests.access import Case, only

X_ONLY = {"trainer_x": 200, "coordinator": 200}  # trainer_y and participants: 403


def session_x(w):
    return w.programme_x.sessions[0]


CASES = [
    Case(
        "attendance.register",
        lambda w: f"/werkruimte/bijeenkomst/{session_x(w).id}/presentie",
        only(X_ONLY),
    ),
    Case(
        "attendance.register",
        lambda w: "/werkruimte/bijeenkomst/999999/presentie",
        only({}, others=404),
        note="unknown session",
    ),
    Case(
        "attendance.mark",
        lambda w: f"/werkruimte/bijeenkomst/{session_x(w).id}/presentie/{w.registration_a.id}",
        only({"trainer_x": 302, "coordinator": 302}),
        method="POST",
        data=lambda w: {"status": "present"},
        writes=("trainer_x", "coordinator"),
    ),
    Case(
        "attendance.mark",
        # B's registration in Y, marked on a session of X: not on this register.
        lambda w: f"/werkruimte/bijeenkomst/{session_x(w).id}/presentie/{w.registration_b_y.id}",
        only({"trainer_x": 404, "coordinator": 404}),
        method="POST",
        data=lambda w: {"status": "present"},
        note="registration of another programme",
    ),
    Case(
        "attendance.sheet",
        lambda w: f"/werkruimte/bijeenkomst/{session_x(w).id}/presentielijst.pdf",
        only(X_ONLY),
    ),
]
