"""`flask werklab ...` commands."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from werklab import storage
from werklab.accounts import services
from werklab.catalog.models import Programme
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.jobs import tick
from werklab.mail import deliver_committed
from werklab.seed import seed_demo

werklab_cli = AppGroup("werklab", help="werklab maintenance commands.")


@werklab_cli.command("tick")
def tick_command():
    """Run the periodic jobs once (expire offers, retry mail). Safe to run anywhere, often."""
    result = tick()
    click.echo(" ".join(f"{k}={v}" for k, v in result.items()))


@werklab_cli.command("seed-demo")
@click.option("--force", is_flag=True, help="Add the demo data even if programmes exist.")
def seed_demo_command(force: bool):
    """Fill the database with a realistic demo set (skipped when data exists)."""
    from flask import current_app

    if current_app.config["WERKLAB_ENV"] == "production":
        raise click.ClickException(
            "seed-demo makes accounts with a known password: not in production."
        )

    if not force and db.session.query(Programme.id).first():
        click.echo("Demo data not added: the database already has programmes.")
        return
    summary = seed_demo()
    db.session.commit()
    deliver_committed()
    click.echo(summary)


@werklab_cli.command("create-admin")
@click.option("--email", prompt=True, help="E-mail address of the coordinator.")
@click.option("--name", prompt=True, help="Name of the coordinator.")
@click.password_option(help="Password (at least 12 characters); asked when not given.")
def create_admin_command(email: str, name: str, password: str):
    """Create a coordinator account (or make an existing account coordinator)."""
    try:
        user = services.find_user(email)
        if user is None:
            user = services.create_user(
                email, name, password=password, coordinator=True, actor="cli"
            )
        else:
            services.set_roles(user, coordinator=True, trainer=user.is_trainer, actor="cli")
            services.set_password(user, password, actor="cli")
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"Coordinator {user.email} is ready.")


@werklab_cli.command("files-to-database")
@click.option("--folder", default=None, help="The local folder (default: UPLOAD_FOLDER).")
def files_to_database_command(folder: str | None):
    """Copy stored files from a local folder into the database (before FILE_STORAGE=database).

    Files already in the database are skipped, so it can run again; nothing is removed."""
    folder = folder or current_app.config["UPLOAD_FOLDER"]
    copied = storage.copy_local_to_database(folder)
    db.session.commit()
    click.echo(f"{copied} file(s) copied from {folder} into the database.")
