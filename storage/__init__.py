"""Storage layer: every domain rule of 온통중구 lives here, once.

- ``rules``: pure rules and named constants (no database).
- ``models``: typed SQLAlchemy 2 models, one module per aggregate.
- ``services``: use cases that take a session and never commit it.
- ``db``: engine and the transaction boundary used by the edges.
"""
