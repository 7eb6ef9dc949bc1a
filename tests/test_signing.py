"""werklab.signing: itsdangerous's tokens, made without zlib and with each key derived once;
the session cookie, the manage links and Flask-WTF's CSRF tokens use them."""

from __future__ import annotations

import hashlib
import secrets

import flask_wtf.csrf
import pytest
from flask import session
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import generate_csrf, validate_csrf
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer
from wtforms import ValidationError

from werklab.signing import PlainURLSafeSerializer, PlainURLSafeTimedSerializer

KEY = "k" * 40
LONG = {"note": "herhaling " * 60}  # compresses well: itsdangerous would zip it


def test_a_manage_token_is_the_one_itsdangerous_makes_and_both_read_each_other():
    theirs, ours = URLSafeSerializer(KEY, salt="manage"), PlainURLSafeSerializer(KEY, salt="manage")
    for value in (secrets.token_urlsafe(32) for _ in range(50)):
        assert ours.dumps(value) == theirs.dumps(value)  # links in mails sent before still match
        assert ours.loads(theirs.dumps(value)) == value
    assert theirs.loads(ours.dumps(LONG)) == LONG


def test_the_payload_is_never_compressed_and_compressed_tokens_are_still_read():
    theirs = URLSafeTimedSerializer(KEY, salt="s")
    ours = PlainURLSafeTimedSerializer(KEY, salt="s")
    old = theirs.dumps(LONG)
    assert old.startswith(".")  # itsdangerous zipped it
    new = ours.dumps(LONG)
    assert not new.startswith(".")
    assert ours.loads(old) == LONG
    assert theirs.loads(new) == LONG


def test_only_the_right_keys_and_salt_are_accepted():
    ours = PlainURLSafeTimedSerializer(["old" * 14, KEY], salt="s")
    assert ours.loads(URLSafeTimedSerializer("old" * 14, salt="s").dumps(1)) == 1  # a fallback
    assert ours.loads(ours.dumps(2)) == 2
    assert URLSafeTimedSerializer(KEY, salt="s").loads(ours.dumps(3)) == 3  # signs with the last
    for other in (
        URLSafeTimedSerializer("another" * 6, salt="s"),
        URLSafeTimedSerializer(KEY, salt="other"),
    ):
        with pytest.raises(BadSignature):
            ours.loads(other.dumps(4))
    token = ours.dumps(5)
    with pytest.raises(BadSignature):
        ours.loads(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    # Each salt keeps its own signer, and with it its own derived key, made once, and the
    # HMAC gets OpenSSL's SHA-1 (not a Python function, which sends hmac to its slow path).
    signer = ours.make_signer("s")
    assert signer is ours.make_signer("s")
    assert signer.derive_key() is signer.derive_key()
    assert signer.digest_method is hashlib.sha1
    assert ours.make_signer("a").derive_key() != ours.make_signer("b").derive_key()
    assert ours.loads(ours.dumps(6, salt="a"), salt="a") == 6
    with pytest.raises(BadSignature):
        ours.loads(ours.dumps(6, salt="a"), salt="b")


def test_the_session_cookie_reads_flasks_own_and_flask_reads_ours(client, app):
    stock = SecureCookieSessionInterface()
    with app.app_context():
        flask_serializer = stock.get_signing_serializer(app)
    data = {"lang": "en", **LONG}
    cookie = flask_serializer.dumps(data)
    assert cookie.startswith(".")  # what a cookie from before this change looks like
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)

    with client.session_transaction() as session:
        session["note"] = LONG["note"] + "!"  # the app writes the cookie again
    ours = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    with app.app_context():
        assert app.session_interface.get_signing_serializer(app).make_signer().digest_method is (
            hashlib.sha1
        )
    assert not ours.startswith(".")
    assert flask_serializer.loads(ours)["note"].endswith("!")
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_flask_wtf_signs_csrf_tokens_with_ours_and_reads_those_of_its_own_serializer(app):
    salt = "wtf-csrf-token"
    with app.test_request_context("/"):
        made = flask_wtf.csrf.URLSafeTimedSerializer(app.secret_key, salt=salt)
        assert isinstance(made, PlainURLSafeTimedSerializer)
        assert flask_wtf.csrf.URLSafeTimedSerializer(app.secret_key, salt=salt) is made
        token = generate_csrf()
        stock = URLSafeTimedSerializer(app.secret_key, salt=salt)
        assert stock.loads(token) == session["csrf_token"]
        validate_csrf(token)
        validate_csrf(stock.dumps(session["csrf_token"]))  # a token from before the change
        for bad in (
            token[:-2] + ("AA" if token[-2:] != "AA" else "BB"),
            URLSafeTimedSerializer("another" * 6, salt=salt).dumps(session["csrf_token"]),
            stock.dumps("someone-elses-raw-token"),
        ):
            with pytest.raises(ValidationError):
                validate_csrf(bad)
