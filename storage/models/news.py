"""District news items (중구소식 · 언론에 비친 중구 · 행사) posted by staff."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.timeutil import utcnow


class NewsCategory(str, enum.Enum):
    gov_news = "gov_news"
    press = "press"
    events = "events"


class NewsItem(Base):
    __tablename__ = "news_items"
    __table_args__ = (Index("ix_news_items_category_posted", "category", "posted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[NewsCategory] = mapped_column(Enum(NewsCategory, native_enum=False, length=16))
    title: Mapped[str] = mapped_column(String(100))
    summary: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500))
    photo_file_id: Mapped[str | None] = mapped_column(String(255))
    posted_by: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    posted_at: Mapped[datetime] = mapped_column(default=utcnow)
