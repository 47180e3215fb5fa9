"""Engine and session factory for both backends (DESIGN §3).

SQLite serialises writers; a plain deferred `BEGIN` lets two transactions read,
then both try to upgrade to a write lock and one fails "database is locked".
So a transaction that may write starts with `BEGIN IMMEDIATE` and waits on
`busy_timeout`. A caller that knows it only reads (an HTTP GET) clears
`sqlite_write_intent` and gets a deferred `BEGIN`: in WAL mode readers never
block writers, so a read transaction left open between two steps of a request
holds nobody up.
"""

import math
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import orjson
import psycopg
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 30_000
PG_CONNECT_TIMEOUT_S = 5

sqlite_write_intent: ContextVar[bool] = ContextVar("sqlite_write_intent", default=True)


def normalize_url(url: str | URL) -> URL:
    """Accept the standard URL forms and pick the drivers this project ships with."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


# JSON columns (audit digests, timeline data, outbox events, stored answers) are written on every
# write and read by the relay for every event: orjson does either in a tenth of the stdlib's time.
# OPT_NON_STR_KEYS keeps json.dumps's behaviour of turning int keys into strings.
def _json_bytes(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)


def _json_text(value: Any) -> str:
    return _json_bytes(value).decode()


def make_engine(url: str | URL, *, pool_size: int = 20, echo: bool = False) -> Engine:
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            parsed,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            json_serializer=_json_text,  # sqlite3 would store bytes as a BLOB
            json_deserializer=orjson.loads,
        )
        _configure_sqlite(engine)
        return engine
    if "connect_timeout" not in parsed.query:
        # libpq waits for a connection as long as TCP does (minutes, when the host is gone rather than refusing):
        # a request would hang instead of answering 503. The relay's LISTEN connection reads the same URL.
        parsed = parsed.update_query_dict({"connect_timeout": str(PG_CONNECT_TIMEOUT_S)})
    return create_engine(
        parsed,
        echo=echo,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        pool_timeout=10,
        json_serializer=_json_bytes,  # psycopg sends bytes as they are
        json_deserializer=orjson.loads,
    )


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module so our BEGIN is the one that runs.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        try:
            cur.execute("SELECT sin(0), cos(0), radians(0)")
        except sqlite3.OperationalError:
            # SQLite built without its math functions: queries ranking by great-circle distance need these.
            for name, fn in (("sin", math.sin), ("cos", math.cos), ("radians", math.radians)):
                dbapi_conn.create_function(name, 1, fn, deterministic=True)
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if sqlite_write_intent.get() else "BEGIN")


@contextmanager
def write_intent() -> Iterator[None]:
    """Transactions begun inside write (`BEGIN IMMEDIATE` on SQLite), even on a path marked read-only.

    For a read that finds it must write: end the read transaction first, since
    a deferred one cannot reliably upgrade to a write lock.
    """
    token = sqlite_write_intent.set(True)
    try:
        yield
    finally:
        sqlite_write_intent.reset(token)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def one_round_trip(conn: Connection) -> Iterator[None]:
    """On PostgreSQL, send the statements run inside in one network round trip (psycopg pipeline mode).

    For statements whose results nobody reads (INSERTs without RETURNING):
    each round trip costs both processes a wake-up and the request a wait.
    A queued statement's error surfaces when the block ends, outside
    SQLAlchemy's error translation, so it is translated here: a lost database
    must still read as OperationalError (503), a violated constraint as
    IntegrityError. Elsewhere (SQLite) the statements simply run in turn.
    """
    driver = conn.connection.driver_connection
    if not isinstance(driver, psycopg.Connection):
        yield
        return
    try:
        with driver.pipeline():
            yield
    except psycopg.Error as exc:
        raise DBAPIError.instance(None, None, exc, psycopg.Error, dialect=conn.dialect) from exc
