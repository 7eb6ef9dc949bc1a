"""Flask extensions, created unbound and initialised in create_app."""

import flask_wtf.csrf
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from werklab import signing
from werklab.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
# Flask-WTF makes a new itsdangerous URLSafeTimedSerializer for each CSRF token it makes or
# checks, three or four in a registration. It gets werklab.signing's instead, one per key:
# tokens of the same form, made and checked with a third less work (tests/test_signing.py).
flask_wtf.csrf.URLSafeTimedSerializer = signing.csrf_serializer
babel = Babel()
login_manager = LoginManager()
