"""Benchmark: issue 15 certificates through the service and render their PDFs, against
rendering the same HTML with bare WeasyPrint in the same run (target: at most 1.3x).

Run: .venv/bin/python bench/certificates.py [--rounds N]

Uses a throwaway SQLite file, migrated, with a programme of 3 sessions and 15 participants
who attended all of them. "service" = issue_certificates (rows, audit, outbox mails) plus
certificate_pdf for each (template + render_pdf with the static-only fetcher); "bare" =
weasyprint.HTML(string=<the same HTML>).write_pdf() for the same 15 certificates. Both are
warmed up first (font loading); the figure is the best of the rounds.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

N = 15


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    import weasyprint
    from flask_migrate import upgrade

    from tests.factories import Factories
    from werklab import create_app
    from werklab.accounts import services as accounts
    from werklab.attendance.models import AttendanceStatus
    from werklab.attendance.services import mark_attendance
    from werklab.certificates import pdf, services
    from werklab.extensions import db

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            "testing",
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp}/bench.db",
            BASE_URL="https://werklab.example",
        )
        with app.app_context(), app.test_request_context():
            upgrade()
            f = Factories()
            trainer = accounts.create_user(
                "trainer@example.nl", "Tineke Trainer", trainer=True, actor="bench"
            )

            def programme_with_attendance():
                programme = f.programme(title="Community of Practice Gelderland")
                f.took_place(programme)  # attendance and certificates wait for the sessions
                programme.trainers.append(trainer)
                for i in range(N):
                    reg = f.registration(
                        programme,
                        first_name=f"Fatima{i:02d}",
                        last_name="El Amrani-Bouzid",
                        organisation="Gemeente Súdwest-Fryslân",
                    )
                    for session in programme.sessions:
                        mark_attendance(session, reg, AttendanceStatus.PRESENT, recorded_by=trainer)
                db.session.commit()
                return programme

            # Warm up both paths (fonts, templates, first query compilation).
            warm = services.issue_certificates(programme_with_attendance(), actor=trainer)
            weasyprint.HTML(string=pdf.certificate_html(warm[0])).write_pdf()
            pdf.certificate_pdf(warm[0])
            db.session.commit()

            service_times, bare_times = [], []
            for _ in range(args.rounds):
                programme = programme_with_attendance()
                start = time.perf_counter()
                issued = services.issue_certificates(programme, actor=trainer)
                pdfs = [pdf.certificate_pdf(c) for c in issued]
                db.session.commit()
                service_times.append(time.perf_counter() - start)
                assert len(issued) == N and all(p.startswith(b"%PDF") for p in pdfs)

                htmls = [pdf.certificate_html(c) for c in issued]
                start = time.perf_counter()
                bare = [weasyprint.HTML(string=h).write_pdf() for h in htmls]
                bare_times.append(time.perf_counter() - start)
                assert all(p.startswith(b"%PDF") for p in bare)

    service, bare = min(service_times), min(bare_times)
    print(f"issue {N} certificates + render PDFs (service): {service * 1000:8.1f} ms")
    print(f"render the same {N} HTML, bare WeasyPrint:      {bare * 1000:8.1f} ms")
    print(f"ratio: {service / bare:.2f}x   (target: at most 1.30x; best of {args.rounds})")
    print(
        f"per certificate: {service / N * 1000:.1f} ms (service), {bare / N * 1000:.1f} ms (bare)"
    )


if __name__ == "__main__":
    main()
