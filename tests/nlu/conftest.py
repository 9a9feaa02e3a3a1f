"""tests/nlu runs in the Rasa venv only: the app venv (Python 3.11) has no rasa.

The app-venv run (`.venv/bin/python -m pytest tests`) collects this directory too;
there the tests are ignored instead of failing on `import rasa`.
"""
import importlib.util

if importlib.util.find_spec("rasa") is None or importlib.util.find_spec("kiwipiepy") is None:
    collect_ignore_glob = ["*"]
