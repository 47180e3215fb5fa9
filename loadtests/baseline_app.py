"""The write ceiling of the stack: one FastAPI route that inserts one row, and nothing else.

Same pieces as the product's write path — uvicorn, FastAPI, a sync `def` view run
in the thread pool, a SQLAlchemy 2 session from a pooled psycopg engine sized like
the app's (`pool_size=20`, as many overflow, pre-ping) — minus everything the
product adds per request (auth, validation, audit, outbox). Whatever a real
route achieves is read as a fraction of this. It imports no project package, so
it measures the stack, not our code.

Run: `BENCH_BARE_DATABASE_URL=postgresql://... uvicorn loadtests.baseline_app:create_app --factory`.
"""

import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated

from fastapi import Depends, FastAPI, Request, status
from sqlalchemy import BigInteger, DateTime, Text, create_engine, func, insert
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

POOL_SIZE = 20  # the app's ERCP_DB_POOL_SIZE default


class Base(DeclarativeBase):
    pass


class BenchBare(Base):
    __tablename__ = "bench_bare"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    payload: Mapped[str] = mapped_column(Text)


def _session(request: Request) -> Iterator[Session]:
    factory: sessionmaker[Session] = request.app.state.session_factory
    with factory() as session:
        yield session


SessionDep = Annotated[Session, Depends(_session)]


def create_app() -> FastAPI:
    url = make_url(os.environ["BENCH_BARE_DATABASE_URL"]).set(drivername="postgresql+psycopg")
    engine = create_engine(url, pool_size=POOL_SIZE, max_overflow=POOL_SIZE, pool_pre_ping=True, pool_timeout=10)
    Base.metadata.create_all(engine)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    app = FastAPI(title="bench baseline", lifespan=lifespan)
    app.state.session_factory = sessionmaker(engine, expire_on_commit=False)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/bare", status_code=status.HTTP_201_CREATED)
    def bare(session: SessionDep) -> dict[str, int]:
        new_id = session.scalar(insert(BenchBare).values(payload="bench").returning(BenchBare.id))
        session.commit()
        return {"id": int(new_id or 0)}

    return app
