from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from resources_db.base import Base, str_enum, utcnow
from resources_db.enums import Role


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(str_enum(Role, "user_role"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("rescue_teams.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # Signed into every token; raising it (logout, disable, password change) ends all of the user's tokens.
    token_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
