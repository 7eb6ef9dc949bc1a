"""WSGI entry point: gunicorn wsgi:app"""

import gc

from werklab import create_app

app = create_app()

# What the worker built at start-up (the app, SQLAlchemy's mappers, the templates) lives as
# long as the worker. Frozen, the garbage collector's full passes no longer walk it: measured
# in-process, 0.115 ms of collection per registration becomes 0.04 ms.
gc.freeze()
