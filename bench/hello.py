"""A bare Flask app with one endpoint: the baseline for bench/run.py.

gunicorn -w 4 -b 127.0.0.1:PORT --no-control-socket --pythonpath bench hello:app
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
