"""`flask werklab ...` commands."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from werklab.extensions import db

werklab_cli = AppGroup("werklab", help="werklab maintenance commands.")


@werklab_cli.command("tick")
def tick_command():
    """Run the periodic jobs once (expire offers, retry mail). Safe to run anywhere, often."""
    from werklab.jobs import tick

    result = tick()
    click.echo(" ".join(f"{k}={v}" for k, v in result.items()))


@werklab_cli.command("seed-demo")
@click.option("--force", is_flag=True, help="Add the demo data even if programmes exist.")
def seed_demo_command(force: bool):
    """Fill the database with a realistic demo set (skipped when data exists)."""
    from werklab.catalog.models import Programme
    from werklab.seed import seed_demo

    if not force and db.session.query(Programme.id).first():
        click.echo("Demo data not added: the database already has programmes.")
        return
    summary = seed_demo()
    db.session.commit()
    from werklab.mail import deliver_committed

    deliver_committed()
    click.echo(summary)
