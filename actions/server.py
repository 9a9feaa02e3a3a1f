"""The action server: rasa-sdk's app, on 127.0.0.1, answering only Rasa.

Plain ``python -m rasa_sdk`` listens on every interface and runs any action for anyone who can
reach the port; our actions trust ``metadata.telegram_user_id``, so one
unauthenticated POST could withdraw another resident. This module wraps
rasa-sdk's ``create_app`` with a request middleware that refuses (401, nothing
run) every call except ``/health`` that does not carry the shared secret in
the ``X-Action-Secret`` header. Rasa sends that header from ``endpoints.yml``
(``action_endpoint.headers``); both processes read the secret from
``ACTION_SERVER_SECRET`` (``scripts/stack.py`` makes a random one per start).

Run: ``python -m actions.server [--host 127.0.0.1] [--port 5055]``.
"""
from __future__ import annotations

import argparse
import hmac
import logging
import os
import sys

from rasa_sdk.endpoint import create_app
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic, response
from sanic.request import Request

from bot.logging_setup import setup_logging
from storage.settings import ConfigError, check_qr_secret

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Action-Secret"
SECRET_ENV = "ACTION_SERVER_SECRET"
MIN_SECRET_LENGTH = 32
#: Paths answered without the secret (a liveness probe reveals nothing).
OPEN_PATHS = frozenset({"/health"})


def check_secret(secret: str | None) -> str:
    """The secret, or ConfigError when it is missing or too short to resist guessing."""
    if not secret:
        raise ConfigError(f"{SECRET_ENV} is not set: the action server refuses to start without "
                          f"the shared secret Rasa sends in the {SECRET_HEADER} header")
    if len(secret) < MIN_SECRET_LENGTH:
        raise ConfigError(f"{SECRET_ENV} is too short ({len(secret)} characters; "
                          f"at least {MIN_SECRET_LENGTH} are required)")
    return secret


def authorized(presented: str | None, secret: str) -> bool:
    """Whether the presented header value is the shared secret (constant-time)."""
    if not presented:
        return False
    return hmac.compare_digest(presented.encode("utf-8"), secret.encode("utf-8"))


def create_secured_app(secret: str, actions_package: str = "actions") -> Sanic:
    """rasa-sdk's app for ``actions_package`` that refuses calls without the secret."""
    check_secret(secret)
    executor = ActionExecutor()
    executor.register_package(actions_package)
    # No CORS: only Rasa (server to server) calls this app, never a browser.
    app = create_app(executor, cors_origins="")

    @app.on_request(priority=100)
    async def require_secret(request: Request):  # type: ignore[no-untyped-def]
        """Refuse the request before any handler runs unless it carries the secret."""
        if request.path in OPEN_PATHS:
            return None
        if authorized(request.headers.get(SECRET_HEADER), secret):
            return None
        log.warning("refused %s %s from %s: missing or wrong %s", request.method, request.path,
                    request.ip, SECRET_HEADER)
        return response.json({"error": "unauthorized"}, status=401)

    return app


def main(argv: list[str] | None = None) -> int:
    """Start the action server on the given address (127.0.0.1 by default)."""
    parser = argparse.ArgumentParser(description="온통중구 action server (rasa-sdk, shared secret)")
    parser.add_argument("--host", default=os.environ.get("SANIC_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("ACTIONS_PORT", "5055")))
    parser.add_argument("--actions", default="actions")
    args = parser.parse_args(argv)
    setup_logging()
    try:
        secret = check_secret(os.environ.get(SECRET_ENV))
        check_qr_secret()
    except ConfigError as err:
        log.error("%s", err)
        print(f"error: {err}", file=sys.stderr)
        return 2
    app = create_secured_app(secret, args.actions)
    log.info("action server listening on http://%s:%d (secret required)", args.host, args.port)
    app.run(host=args.host, port=args.port, single_process=True, motd=False, access_log=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
