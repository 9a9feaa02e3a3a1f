"""Uploaded files: ids, paths, photo sizes (Telegram re-scales photos into a few sizes)."""
from __future__ import annotations

import io
import itertools
import mimetypes
import secrets
from dataclasses import dataclass
from typing import Any

from PIL import Image, UnidentifiedImageError

from telegram_local.errors import bad_request

# Bot API: bots download files up to 20 MB with getFile.
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
# Telegram keeps a small preview and the full photo (longest side at most 1280 px in the "x/y" sizes).
PHOTO_SIDES = (320, 1280)


@dataclass
class StoredFile:
    """One stored file: bytes plus the ids and path the Bot API hands out."""

    file_id: str
    file_unique_id: str
    kind: str  # "photo" or "document"
    data: bytes
    file_path: str
    mime_type: str
    file_name: str | None = None
    width: int = 0
    height: int = 0

    def photo_size(self) -> dict[str, Any]:
        """As a PhotoSize object."""
        return {"file_id": self.file_id, "file_unique_id": self.file_unique_id,
                "width": self.width, "height": self.height, "file_size": len(self.data)}

    def document(self) -> dict[str, Any]:
        """As a Document object."""
        data: dict[str, Any] = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        if self.file_name:
            data["file_name"] = self.file_name
        data.update(mime_type=self.mime_type, file_size=len(self.data))
        return data

    def file(self) -> dict[str, Any]:
        """As a File object (getFile)."""
        return {"file_id": self.file_id, "file_unique_id": self.file_unique_id,
                "file_size": len(self.data), "file_path": self.file_path}


class FileStore:
    """Every file the bot or a user sent, by file_id and by download path."""

    def __init__(self) -> None:
        self.by_id: dict[str, StoredFile] = {}
        self.by_path: dict[str, StoredFile] = {}
        self.photos: dict[str, list[StoredFile]] = {}  # largest file_id → all sizes
        self._numbers = itertools.count()

    def _store(self, kind: str, data: bytes, ext: str, mime_type: str, file_name: str | None = None,
               width: int = 0, height: int = 0) -> StoredFile:
        number = next(self._numbers)
        prefix = "AgACAgUAAxkBAA" if kind == "photo" else "BQACAgUAAxkBAA"
        stored = StoredFile(
            file_id=prefix + secrets.token_urlsafe(24), file_unique_id="AQAD" + secrets.token_urlsafe(9),
            kind=kind, data=data, file_path=f"{kind}s/file_{number}{ext}", mime_type=mime_type,
            file_name=file_name, width=width, height=height)
        self.by_id[stored.file_id] = stored
        self.by_path[stored.file_path] = stored
        return stored

    def add_photo(self, data: bytes) -> list[StoredFile]:
        """Store a photo: a preview size plus the full one, smallest first (as Telegram lists them)."""
        try:
            image = Image.open(io.BytesIO(data))
            image.load()
        except (UnidentifiedImageError, OSError) as exc:
            raise bad_request("IMAGE_PROCESS_FAILED") from exc
        fmt = (image.format or "JPEG").lower()
        ext = ".jpg" if fmt == "jpeg" else f".{fmt}"
        mime = Image.MIME.get(image.format or "JPEG", "image/jpeg")
        sizes: list[StoredFile] = []
        for side in PHOTO_SIDES:
            if max(image.size) > side:
                copy = image.convert("RGB")
                copy.thumbnail((side, side))
                out = io.BytesIO()
                copy.save(out, "JPEG", quality=85)
                sizes.append(self._store("photo", out.getvalue(), ".jpg", "image/jpeg",
                                         width=copy.width, height=copy.height))
        # The original bytes stay available as the largest size, so a QR code stays sharp.
        sizes.append(self._store("photo", data, ext, mime, width=image.width, height=image.height))
        self.photos[sizes[-1].file_id] = sizes
        for size in sizes:
            self.photos[size.file_id] = sizes
        return sizes

    def add_document(self, data: bytes, file_name: str | None, mime_type: str | None) -> StoredFile:
        """Store a document under its own name and type."""
        guessed = mimetypes.guess_type(file_name or "")[0]
        mime = mime_type if mime_type and mime_type != "application/octet-stream" else guessed
        ext = mimetypes.guess_extension(mime or "") or ""
        if file_name and "." in file_name:
            ext = "." + file_name.rsplit(".", 1)[1][:8]
        return self._store("document", data, ext, mime or "application/octet-stream", file_name=file_name)

    def get(self, file_id: str) -> StoredFile:
        """A stored file, or Telegram's invalid file_id error."""
        stored = self.by_id.get(file_id)
        if stored is None:
            raise bad_request("invalid file_id")
        return stored
