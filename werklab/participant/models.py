"""The participant's personal calendar feed."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from werklab.accounts.models import User
from werklab.db import Base, utcnow


class CalendarFeed(Base):
    """A secret calendar address for one person: calendar apps subscribe to it without
    signing in, so the token is the only key. Renewing the token revokes the old address."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    #: The secret in the feed's URL (random, 256 bits). Stored as is: the page shows the URL
    #: again whenever the person wants to add it to another calendar.
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<CalendarFeed {self.id} user={self.user_id}>"
