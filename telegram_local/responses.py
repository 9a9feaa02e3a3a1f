"""JSON answers as Telegram writes them: UTF-8, no ASCII escapes."""
from __future__ import annotations

import json
from functools import partial
from typing import Any

from aiohttp import web

dumps = partial(json.dumps, ensure_ascii=False)


def json_response(body: Any, status: int = 200) -> web.Response:
    """A JSON response with Korean text kept readable."""
    return web.json_response(body, status=status, dumps=dumps)
