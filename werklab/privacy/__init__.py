"""Personal data (AVG): the one declaration of what werklab stores (`register.py`), the
retention job that acts on it (`retention.py`, run by `tick`) and the processing register
page generated from it (`views.py`). It knows every area's models, so it sits right below
the app layer."""
