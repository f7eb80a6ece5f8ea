"""planalign's service: plans, checks and reviews over HTTP (FastAPI), stored with SQLModel.

A skin over the library (``rulesengine``), which never imports this package. Layout:

* ``main.create_app(settings)`` — the app factory; migrates the database on start.
* ``settings`` — ``Settings.from_env()`` (``DATABASE_URL``, ``PLANALIGN_DATA_DIR`` …).
* ``db`` — tables; ``storage`` — engine and Alembic migrations (``migrations/``).
* ``auth`` — hashed tokens and ranked roles; ``deps`` — typed dependencies for routes.
* ``schemas`` — request and response models; ``errors`` — RFC 9457 problems, zh + en.
* ``routes/`` — thin HTTP handlers; ``services/`` — one transaction per write.
* ``engine`` — the door to ``rulesengine.check``; ``commands`` — ``serve`` and ``token``.
"""
