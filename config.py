"""Configuration classes; secrets and locations come from the environment."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _sqlite_default() -> str:
    return "sqlite:///" + str(BASE_DIR / "instance" / "werklab.db")


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or _sqlite_default()
    #: Pooled PostgreSQL connections are checked when they were idle (see db.configure_engine).
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}

    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Amsterdam"
    LANGUAGES = ("nl", "en")

    #: Public base URL for links in mails (falls back to the request's host).
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")

    #: Seconds a request waits for the programme lock before answering "busy" (503).
    LOCK_TIMEOUT_SECONDS = float(os.environ.get("LOCK_TIMEOUT_SECONDS", "4"))
    #: How long a waiting-list offer stays open.
    WAITLIST_OFFER_HOURS = int(os.environ.get("WAITLIST_OFFER_HOURS", "48"))
    #: Days after its last session ends at which tick completes a programme: time for the
    #: trainers to finish the attendance register and issue the certificates (issue 15).
    COMPLETE_AFTER_DAYS = int(os.environ.get("COMPLETE_AFTER_DAYS", "7"))

    #: Online payment (Stripe Checkout). Without a secret key online payment is hidden and
    #: registrations for a fee are paid by invoice.
    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY")
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET")
    #: How long an online payment holds a seat (Stripe needs at least 30 minutes).
    HOLD_MINUTES = max(30, int(os.environ.get("HOLD_MINUTES", "30")))

    #: The seller on invoices. The address in parts is what the e-invoice (UBL) carries;
    #: SELLER_ADDRESS, printed on the PDF, is made of them unless set on its own.
    SELLER_NAME = os.environ.get("SELLER_NAME", "Stichting werklab")
    SELLER_STREET = os.environ.get("SELLER_STREET", "Voorbeeldstraat 1")
    SELLER_POSTCODE = os.environ.get("SELLER_POSTCODE", "1234 AB")
    SELLER_CITY = os.environ.get("SELLER_CITY", "Utrecht")
    SELLER_COUNTRY = os.environ.get("SELLER_COUNTRY", "NL")
    SELLER_ADDRESS = os.environ.get(
        "SELLER_ADDRESS", f"{SELLER_STREET}\n{SELLER_POSTCODE} {SELLER_CITY}"
    )
    SELLER_EMAIL = os.environ.get("SELLER_EMAIL", "facturen@werklab.example")
    #: Checked at start-up with python-stdnum (invoicing.settings); production refuses to
    #: start with a number that is not valid.
    SELLER_KVK = os.environ.get("SELLER_KVK", "12345678")
    SELLER_VAT_NUMBER = os.environ.get("SELLER_VAT_NUMBER", "NL123456782B01")
    SELLER_IBAN = os.environ.get("SELLER_IBAN", "NL91ABNA0417164300")
    #: The seller's Peppol ID, "scheme:number" (0106 = KvK number, 0190 = OIN).
    SELLER_PEPPOL_ID = os.environ.get("SELLER_PEPPOL_ID", f"0106:{SELLER_KVK}")
    #: The e-invoice profile: "nlcius" (SI-UBL 2.0, the Dutch government's) or "peppol"
    #: (Peppol BIS Billing 3.0).
    EINVOICE_PROFILE = os.environ.get("EINVOICE_PROFILE", "nlcius")
    INVOICE_DUE_DAYS = int(os.environ.get("INVOICE_DUE_DAYS", "30"))
    #: The privacy statement: where questions about personal data go (empty: SELLER_EMAIL),
    #: and the names of the processors that deliver mail and host the service.
    PRIVACY_EMAIL = os.environ.get("PRIVACY_EMAIL", "")
    PRIVACY_MAIL_PROVIDER = os.environ.get("PRIVACY_MAIL_PROVIDER", "")
    PRIVACY_HOSTING_PROVIDER = os.environ.get("PRIVACY_HOSTING_PROVIDER", "")
    #: Printed on invoices of programmes with 0% VAT.
    VAT_EXEMPT_NOTE = os.environ.get(
        "VAT_EXEMPT_NOTE", "Vrijgesteld van btw op grond van artikel 11 Wet OB."
    )

    #: The terms a municipality agrees to when it accepts a quote: shown on the quote page
    #: and printed in the quote PDF; copied into each quote when it is sent. Paragraphs are
    #: separated by an empty line.
    QUOTE_TERMS = os.environ.get(
        "QUOTE_TERMS",
        "Het werklab bestaat uit drie bijeenkomsten met twee begeleiders, voor 10 tot 15 "
        "deelnemers van de gemeente. De data en locaties spreken we samen af.\n\n"
        "Na aanvaarding van deze offerte sturen we de factuur voor het totaalbedrag; de "
        "betalingstermijn is 30 dagen. Wijzigt de gemeente het aantal bijeenkomsten of "
        "begeleiders, dan passen we de offerte in overleg aan.\n\n"
        "Tot vier weken voor de eerste bijeenkomst kan de gemeente kosteloos annuleren; "
        "daarna brengen we de gemaakte voorbereidingskosten in rekening. Verzetten van een "
        "bijeenkomst in overleg is altijd kosteloos.",
    )

    #: "log" prints mails to the log, "smtp" delivers them, "null" keeps them queued.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "log")
    #: "inline" sends right after the commit; "tick" leaves it to `flask werklab tick`.
    MAIL_DELIVERY = os.environ.get("MAIL_DELIVERY", "inline")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "10"))
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "werklab <noreply@werklab.example>")
    #: Where replies to mails go ("Team werklab <team@werklab.example>"; several separated by
    #: commas). Empty: the active coordinators' addresses.
    MAIL_REPLY_TO = os.environ.get("MAIL_REPLY_TO", "")

    #: Where sign-in rate limits are counted: empty counts in the database (holds across
    #: workers and machines); redis:// or memcached:// count there; memory:// is per process
    #: (development and tests only: production refuses it).
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "")
    #: Failed password sign-ins, per address and per account; link requests likewise.
    LOGIN_LIMIT_ADDRESS = "20 per 15 minutes"
    LOGIN_LIMIT_ACCOUNT = "5 per 15 minutes"
    LOGIN_LINK_LIMIT_ADDRESS = "10 per 15 minutes"
    LOGIN_LINK_LIMIT_ACCOUNT = "3 per 15 minutes"
    #: How many reverse proxies in front of the app set X-Forwarded-For/-Proto (ProxyFix);
    #: 0: none, the address of the connection is the client's.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    #: Strict-Transport-Security max-age in seconds; 0 sends no header (development).
    HSTS_MAX_AGE = 0
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # tied to the session; a form left open all day still works
    #: Room for one 10 MB upload plus the form around it; each file is checked on its own
    #: (assignments.services.MAX_FILE_BYTES), so one byte over 10 MB gets the 413 page.
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024 + 256 * 1024
    #: Interim evaluations: mailed this many hours after a session ends, open for answers
    #: (and changes) this many days by default, one reminder after this many days.
    EVALUATION_DELAY_HOURS = float(os.environ.get("EVALUATION_DELAY_HOURS", "2"))
    EVALUATION_OPEN_DAYS = int(os.environ.get("EVALUATION_OPEN_DAYS", "14"))
    EVALUATION_REMINDER_DAYS = float(os.environ.get("EVALUATION_REMINDER_DAYS", "5"))
    #: Where handed-in files are kept (outside static/, under random names).
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER") or str(BASE_DIR / "instance" / "uploads")
    #: Where stored files (hand-ins) live: "local" (UPLOAD_FOLDER, one machine) or
    #: "database" (table stored_files, reachable from every machine); see werklab/storage.py.
    FILE_STORAGE = os.environ.get("FILE_STORAGE", "local")
    #: AVG: this many months after a programme's last session, `tick` erases or anonymises
    #: the personal data of its participants that is no longer needed (werklab/privacy/).
    RETENTION_MONTHS = int(os.environ.get("RETENTION_MONTHS", "12"))


class DevelopmentConfig(Config):
    DEBUG = False
    TEMPLATES_AUTO_RELOAD = True


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret-key-that-is-long-enough"  # noqa: S105
    MAIL_BACKEND = "null"
    #: Test-only switches, read through werklab/testmode.py (which ignores them elsewhere):
    #: the concurrency control run, and the address of the fake Stripe.
    CAPACITY_LOCK = _env_bool("WERKLAB_CAPACITY_LOCK", True)
    CAPACITY_RACE_DELAY = float(os.environ.get("WERKLAB_CAPACITY_RACE_DELAY", "0"))
    STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE")
    # Limits are on (as in production) but generous; tests of the limits set real values
    # (a live server for the control run of tests/accounts/test_limits_live.py: by this switch).
    if not _env_bool("WERKLAB_PRODUCTION_LIMITS", False):
        LOGIN_LIMIT_ADDRESS = LOGIN_LIMIT_ACCOUNT = "10000 per minute"
        LOGIN_LINK_LIMIT_ADDRESS = LOGIN_LINK_LIMIT_ACCOUNT = "10000 per minute"


class ProductionConfig(Config):
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    #: Browsers use only HTTPS for this site for a year (set 0 to switch the header off).
    HSTS_MAX_AGE = int(os.environ.get("HSTS_MAX_AGE", str(365 * 24 * 3600)))


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
