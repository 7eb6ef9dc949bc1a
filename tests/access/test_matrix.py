"""Walk every route as every kind of user and check the status (see tests/access/)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import tests.access as access_pkg
from tests.access import ROLES, Case
from tests.access.world import build_world
from tests.conftest import csrf_from
from werklab.extensions import login_manager


def all_cases() -> list[Case]:
    cases = []
    for module in pkgutil.iter_modules(access_pkg.__path__):
        if module.name in {"world", "test_matrix"}:
            continue
        cases += importlib.import_module(f"tests.access.{module.name}").CASES
    return cases


CASES = all_cases()


def test_every_route_has_an_entry_in_the_matrix(app):
    covered = {case.endpoint for case in CASES}
    routes = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(routes - covered)
    assert not missing, f"routes without an access rule in tests/access/: {missing}"
    unknown = sorted(covered - routes)
    assert not unknown, f"access rules for routes that do not exist: {unknown}"


def client_for(app, user):
    """A browser in which `user` is signed in (as Flask-Login's login_user leaves it)."""
    client = app.test_client()
    if user is not None:
        with app.test_request_context(environ_base=client.environ_base):
            identifier = login_manager._session_identifier_generator()
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
            session["_id"] = identifier
    return client


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_access(app, case: Case):
    world = build_world()
    failures = []
    # Roles whose request changes something go last, so the others see the world unchanged.
    order = [r for r in ROLES if r not in case.writes] + [r for r in ROLES if r in case.writes]
    for role in order:
        client = client_for(app, world.users[role])
        url = case.url(world)
        if case.method == "GET":
            response = client.get(url)
        else:
            # A real form post: the CSRF token of this client's session.
            token = (
                csrf_from(client.get("/inloggen").get_data(as_text=True))
                if role == ("anonymous")
                else csrf_from(client.get("/account").get_data(as_text=True))
            )
            data = {**(case.data(world) if case.data else {}), "csrf_token": token}
            response = client.open(url, method=case.method, data=data)
        if response.status_code != case.expect[role]:
            failures.append(f"{role}: expected {case.expect[role]}, got {response.status_code}")
    assert not failures, f"{case.id} ({case.url(world)}): " + "; ".join(failures)
