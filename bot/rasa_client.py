"""The one client for Rasa's REST channel."""
from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx

log = logging.getLogger(__name__)


class RasaUnavailable(Exception):
    """Rasa never got the message (connection refused): nothing was applied."""


class RasaUncertain(RasaUnavailable):
    """Rasa got the message but gave no usable answer (read timeout, error status, bad body).

    An action may have committed meanwhile, so the resident must not be told that
    nothing changed.
    """


class RasaClient:
    """POSTs one message to /webhooks/rest/webhook and returns Rasa's replies."""

    def __init__(self, base_url: str, timeout: float = 30.0, retries: int = 2) -> None:
        self._url = f"{base_url}/webhooks/rest/webhook"
        self._retries = retries
        self._http = httpx.AsyncClient(timeout=timeout)

    async def send(self, sender: str, message: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        body = {"sender": sender, "message": message, "metadata": metadata}
        for attempt in range(self._retries + 1):
            try:
                response = await self._http.post(self._url, json=body)
                response.raise_for_status()
                replies = response.json()
                return replies if isinstance(replies, list) else []
            except httpx.ConnectError as exc:
                # Only a refused connection is retried: Rasa never saw the
                # message, so sending it again cannot apply it twice.
                if attempt == self._retries:
                    raise RasaUnavailable(str(exc)) from exc
                await asyncio.sleep(0.5 * (attempt + 1))
            except (httpx.ConnectTimeout, httpx.UnsupportedProtocol) as exc:
                raise RasaUnavailable(str(exc)) from exc
            except (httpx.HTTPError, ValueError) as exc:
                # Sent, but no usable answer: it may have been applied.
                raise RasaUncertain(str(exc)) from exc
        raise RasaUnavailable("unreachable")

    async def close(self) -> None:
        await self._http.aclose()
