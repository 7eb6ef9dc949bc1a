"""A small local fake of the part of Stripe's HTTP API that werklab calls.

The app talks to it with the real `stripe` library (STRIPE_API_BASE points here). It serves
Checkout Sessions (create, retrieve, expire), PaymentIntents (retrieve) and Refunds
(create, honouring Idempotency-Key; list; retrieve), checks what Stripe checks where it
matters to us (expires_at 30 minutes to 24 hours ahead, no refund beyond the amount paid),
and records every request. Test helpers play the payer's part (pay, pay asynchronously,
fail) and build signed webhook deliveries.

Runs a threaded werkzeug server on 127.0.0.1 in a background thread.
"""

from __future__ import annotations

import itertools
import json
import secrets
import threading
import time
from dataclasses import dataclass, field

import stripe
from werkzeug.datastructures import MultiDict
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response


def _nested(form: MultiDict) -> dict:
    """Turn Stripe's form encoding (a[b][0][c]=1) back into nested dicts and lists."""
    root: dict = {}
    for full_key, value in form.items(multi=True):
        parts = full_key.replace("]", "").split("[")
        node = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            nxt = None if last else parts[i + 1]
            if last:
                if part == "" or isinstance(node, list):
                    node.append(value)
                else:
                    node[part] = value
                break
            container = [] if (nxt == "" or (nxt or "").isdigit()) else {}
            if isinstance(node, list):
                index = int(part)
                while len(node) <= index:
                    node.append(type(container)())
                node = node[index]
            else:
                node = node.setdefault(part, container)
    return root


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:  # the test output stays readable
        pass


@dataclass
class Call:
    method: str
    path: str
    params: dict
    idempotency_key: str | None


@dataclass
class FakeStripe:
    host: str = "127.0.0.1"
    sessions: dict[str, dict] = field(default_factory=dict)
    intents: dict[str, dict] = field(default_factory=dict)
    refunds: dict[str, dict] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    #: When set, every API request answers 500 ("Stripe is down"); no retries are asked for.
    down: bool = False
    #: Status new refunds get ("succeeded", or "pending" to be settled by an event later).
    refund_status: str = "succeeded"

    def __post_init__(self):
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._idempotent: dict[str, tuple[int, dict]] = {}
        self._server = make_server(
            self.host, 0, self._wsgi, threaded=True, request_handler=_QuietHandler
        )
        self.port = self._server.server_port
        self.url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        with self._lock:
            self.sessions.clear()
            self.intents.clear()
            self.refunds.clear()
            self.calls.clear()
            self._idempotent.clear()
            self.down = False
            self.refund_status = "succeeded"

    # --- the HTTP API ----------------------------------------------------------------------

    def _id(self, prefix: str) -> str:
        return f"{prefix}_test_{next(self._ids):04d}{secrets.token_hex(6)}"

    @Request.application
    def _wsgi(self, request: Request) -> Response:
        params = _nested(request.form if request.method == "POST" else request.args)
        key = request.headers.get("Idempotency-Key")
        with self._lock:
            self.calls.append(Call(request.method, request.path, params, key))
            if self.down:
                return self._error(500, "api_error", "Stripe is down (fake)", retry=False)
            if request.headers.get("Authorization", "") != f"Bearer {self.secret_key}":
                return self._error(401, "invalid_request_error", "Invalid API Key provided")
            # Stripe answers a repeated Idempotency-Key with the first answer (refunds).
            idempotent = request.method == "POST" and key and request.path == "/v1/refunds"
            if idempotent and key in self._idempotent:
                status, body = self._idempotent[key]
                return Response(json.dumps(body), status, content_type="application/json")
            status, body = self._route(request.method, request.path, params)
            if idempotent:
                self._idempotent[key] = (status, body)
        return Response(json.dumps(body), status, content_type="application/json")

    secret_key = "sk_test_werklab_fake"

    def _error(self, status, etype, message, *, code=None, retry=None) -> Response:
        headers = {} if retry is None else {"Stripe-Should-Retry": "true" if retry else "false"}
        body = {"error": {"type": etype, "message": message, **({"code": code} if code else {})}}
        return Response(json.dumps(body), status, headers, content_type="application/json")

    def _missing(self, what: str, ident: str):
        return 404, {
            "error": {
                "type": "invalid_request_error",
                "code": "resource_missing",
                "message": f"No such {what}: '{ident}'",
            }
        }

    def _invalid(self, message: str, code: str | None = None):
        return 400, {"error": {"type": "invalid_request_error", "message": message, "code": code}}

    def _route(self, method: str, path: str, params: dict):
        parts = path.strip("/").split("/")
        if parts[:3] == ["v1", "checkout", "sessions"]:
            if method == "POST" and len(parts) == 3:
                return self._create_session(params)
            if len(parts) >= 4 and parts[3] not in self.sessions:
                return self._missing("checkout.session", parts[3])
            if method == "GET" and len(parts) == 4:
                return 200, self.sessions[parts[3]]
            if method == "POST" and len(parts) == 5 and parts[4] == "expire":
                session = self.sessions[parts[3]]
                if session["status"] != "open":
                    return self._invalid(
                        "Only Checkout Sessions with a status of open can be expired."
                    )
                session["status"] = "expired"
                session["url"] = None
                return 200, session
        if parts[:2] == ["v1", "payment_intents"] and method == "GET" and len(parts) == 3:
            intent = self.intents.get(parts[2])
            return (200, intent) if intent else self._missing("payment_intent", parts[2])
        if parts[:2] == ["v1", "refunds"]:
            if method == "POST" and len(parts) == 2:
                return self._create_refund(params)
            if method == "GET" and len(parts) == 2:
                pi = params.get("payment_intent")
                data = [r for r in self.refunds.values() if not pi or r["payment_intent"] == pi]
                return 200, {
                    "object": "list",
                    "url": "/v1/refunds",
                    "has_more": False,
                    "data": data,
                }
            if method == "GET" and len(parts) == 3:
                refund = self.refunds.get(parts[2])
                return (200, refund) if refund else self._missing("refund", parts[2])
        return 404, {
            "error": {
                "type": "invalid_request_error",
                "message": f"Unrecognized request URL ({method}: {path})",
            }
        }

    def _create_session(self, p: dict):
        now = int(time.time())
        for required in ("mode", "success_url", "line_items"):
            if required not in p:
                return self._invalid(f"Missing required param: {required}.")
        if "expires_at" in p:
            expires_at = int(p["expires_at"])
            if expires_at < now + 30 * 60:
                return self._invalid(
                    "The `expires_at` timestamp must be at least 30 minutes from Checkout "
                    "Session creation."
                )
            if expires_at > now + 24 * 3600:
                return self._invalid(
                    "The `expires_at` timestamp must be less than 24 hours from Checkout "
                    "Session creation."
                )
        else:
            expires_at = now + 24 * 3600
        lines = p["line_items"]
        currency = {line["price_data"]["currency"] for line in lines}
        if len(currency) != 1:
            return self._invalid("All line items must have the same currency.")
        amount = sum(
            int(line["price_data"]["unit_amount"]) * int(line["quantity"]) for line in lines
        )
        sid = self._id("cs")
        session = {
            "id": sid,
            "object": "checkout.session",
            "mode": p["mode"],
            "status": "open",
            "payment_status": "unpaid",
            "currency": currency.pop(),
            "amount_total": amount,
            "amount_subtotal": amount,
            "client_reference_id": p.get("client_reference_id"),
            "customer_email": p.get("customer_email"),
            "metadata": p.get("metadata", {}),
            "payment_method_types": p.get("payment_method_types", ["card"]),
            "line_items_sent": lines,
            "payment_intent_data_sent": p.get("payment_intent_data", {}),
            "expires_at": expires_at,
            "created": now,
            "success_url": p["success_url"],
            "cancel_url": p.get("cancel_url"),
            "locale": p.get("locale"),
            "payment_intent": None,
            "url": f"{self.url}/pay/{sid}",
            "livemode": False,
        }
        self.sessions[sid] = session
        return 200, session

    def _create_refund(self, p: dict):
        intent = self.intents.get(p.get("payment_intent", ""))
        if intent is None:
            return self._missing("payment_intent", p.get("payment_intent"))
        if intent["status"] != "succeeded":
            return self._invalid("This PaymentIntent has not succeeded.")
        refunded = sum(
            r["amount"]
            for r in self.refunds.values()
            if r["payment_intent"] == intent["id"] and r["status"] != "failed"
        )
        amount = int(p.get("amount", intent["amount"] - refunded))
        if refunded + amount > intent["amount"]:
            return self._invalid(
                f"Charge {intent['latest_charge']} has already been refunded.",
                code="charge_already_refunded",
            )
        rid = self._id("re")
        refund = {
            "id": rid,
            "object": "refund",
            "amount": amount,
            "currency": intent["currency"],
            "payment_intent": intent["id"],
            "charge": intent["latest_charge"],
            "status": self.refund_status,
            "reason": p.get("reason"),
            "metadata": p.get("metadata", {}),
            "created": int(time.time()),
        }
        self.refunds[rid] = refund
        return 200, refund

    # --- the payer's part (test helpers) ----------------------------------------------------

    def _intent_for(self, session: dict, status: str) -> dict:
        pid = session["payment_intent"] or self._id("pi")
        intent = self.intents.get(pid) or {
            "id": pid,
            "object": "payment_intent",
            "amount": session["amount_total"],
            "currency": session["currency"],
            "latest_charge": self._id("ch"),
            "metadata": session["payment_intent_data_sent"].get("metadata", {}),
        }
        intent["status"] = status
        self.intents[pid] = intent
        session["payment_intent"] = pid
        return intent

    def pay(self, session_id: str) -> dict:
        """The payer completes Checkout with a card or iDEAL: paid at once."""
        with self._lock:
            session = self.sessions[session_id]
            self._intent_for(session, "succeeded")
            session.update(status="complete", payment_status="paid", url=None)
            return dict(session)

    def pay_async(self, session_id: str) -> dict:
        """The payer completes Checkout with a delayed method: not paid yet."""
        with self._lock:
            session = self.sessions[session_id]
            self._intent_for(session, "processing")
            session.update(status="complete", payment_status="unpaid", url=None)
            return dict(session)

    def async_succeed(self, session_id: str) -> dict:
        with self._lock:
            session = self.sessions[session_id]
            self._intent_for(session, "succeeded")
            session["payment_status"] = "paid"
            return dict(session)

    def async_fail(self, session_id: str) -> dict:
        with self._lock:
            session = self.sessions[session_id]
            self._intent_for(session, "requires_payment_method")
            return dict(session)

    def expire(self, session_id: str) -> dict:
        """Stripe expires the session (its expires_at has passed)."""
        with self._lock:
            session = self.sessions[session_id]
            session.update(status="expired", url=None)
            return dict(session)

    def set_refund_status(self, refund_id: str, status: str) -> dict:
        with self._lock:
            self.refunds[refund_id]["status"] = status
            return dict(self.refunds[refund_id])

    def calls_to(self, method: str, path_prefix: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.path.startswith(path_prefix)]

    # --- webhook deliveries -----------------------------------------------------------------

    def event(self, event_type: str, obj: dict, *, event_id: str | None = None) -> str:
        """A webhook event body (JSON text) with a snapshot of `obj`."""
        return json.dumps(
            {
                "id": event_id or self._id("evt"),
                "object": "event",
                "api_version": stripe.api_version,
                "created": int(time.time()),
                "type": event_type,
                "livemode": False,
                "pending_webhooks": 1,
                "data": {"object": obj},
            }
        )


def signature(payload: str, secret: str, timestamp: int | None = None) -> str:
    """The Stripe-Signature header for `payload`, as Stripe computes it."""
    return stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp)
