"""WSGI entry point: gunicorn wsgi:app"""

from werklab import create_app

app = create_app()
