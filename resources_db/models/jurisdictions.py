from sqlalchemy import Float, String
from sqlalchemy.orm import Mapped, mapped_column

from resources_db.base import Base, str_enum
from resources_db.enums import JurisdictionKind


class Jurisdiction(Base):
    """A town, street, the city itself, or a neighbouring county for mutual aid.

    `center_lat`/`center_lon` are synthetic points; an incident without a
    jurisdiction is assigned the one whose centre is nearest.
    """

    __tablename__ = "jurisdictions"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(128))
    kind: Mapped[JurisdictionKind] = mapped_column(str_enum(JurisdictionKind, "jurisdiction_kind"))
    center_lat: Mapped[float] = mapped_column(Float)
    center_lon: Mapped[float] = mapped_column(Float)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
