"""Demo mode of the chat page: which users it opens and which poster its QR button scans.

Everything arrives by command-line flags from whoever starts the server (the
product's run command): telegram_local still never reads the product's
database. Without flags there is no demo: the page is the plain stand-in.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from telegram_local.testapi_common import Refusal, json_view

ROLES = ("resident", "second", "staff")


@dataclass(frozen=True)
class DemoUser:
    id: int
    first_name: str
    role: str  # one of ROLES

    @classmethod
    def parse(cls, text: str) -> "DemoUser":
        """'resident:700001:김중구' → DemoUser; raises ValueError."""
        role, user_id, name = text.split(":", 2)
        if role not in ROLES or not user_id.isdigit() or not name.strip():
            raise ValueError(f"--demo-user wants ROLE:ID:NAME with ROLE in {ROLES}, got {text!r}")
        return cls(int(user_id), name.strip(), role)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "first_name": self.first_name, "role": self.role}


@dataclass(frozen=True)
class Demo:
    users: tuple[DemoUser, ...] = ()
    poster: Path | None = None
    facts: tuple[tuple[str, str], ...] = ()  # e.g. ("near_proposal", "2"): numbers the tour types

    @staticmethod
    def parse_fact(text: str) -> tuple[str, str]:
        """'near_proposal=2' → ('near_proposal', '2'); raises ValueError."""
        key, sep, value = text.partition("=")
        if not sep or not key.isidentifier():
            raise ValueError(f"--demo-fact wants KEY=VALUE, got {text!r}")
        return key, value

    @property
    def enabled(self) -> bool:
        return bool(self.users)


async def demo_info(request: web.Request, state: Any, body: dict[str, Any]) -> dict[str, Any]:
    """{enabled, users, poster}: what the chat page needs for its tour."""
    demo: Demo = state.config.demo
    return {"enabled": demo.enabled, "users": [u.to_json() for u in demo.users],
            "poster": "/test/demo/poster.png" if demo.enabled and demo.poster else None,
            "facts": dict(demo.facts) if demo.enabled else {}}


async def demo_poster(request: web.Request, state: Any, body: dict[str, Any]) -> web.StreamResponse:
    """The event poster the tour scans (a PNG file handed over by flag)."""
    demo: Demo = state.config.demo
    if not demo.enabled or demo.poster is None or not demo.poster.is_file():
        raise Refusal(404, "예시 포스터가 없어요.")
    return web.FileResponse(demo.poster, headers={"Content-Type": "image/png", "Cache-Control": "no-store"})


def register(router: web.UrlDispatcher) -> None:
    router.add_get("/test/demo", json_view(demo_info))
    router.add_get("/test/demo/poster.png", json_view(demo_poster))
