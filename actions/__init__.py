"""Rasa custom actions: thin adapters from a tracker to one storage use case.

One module per feature. rasa-sdk imports every submodule of this package when
the action server starts, so nothing here may connect at import time.
"""
