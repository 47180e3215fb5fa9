"""A PostgreSQL engine gives up connecting after a few seconds, so a vanished database host means 503, not a hang."""

from realtime.wakeup import libpq_url
from resources_db.engine import PG_CONNECT_TIMEOUT_S, make_engine


def test_postgresql_connections_time_out_and_the_listen_connection_too() -> None:
    engine = make_engine("postgresql://ercp@db.invalid:5432/ercp")
    try:
        assert engine.url.query["connect_timeout"] == str(PG_CONNECT_TIMEOUT_S)
        assert f"connect_timeout={PG_CONNECT_TIMEOUT_S}" in libpq_url(engine)
    finally:
        engine.dispose()


def test_a_timeout_in_the_url_is_kept() -> None:
    engine = make_engine("postgresql://ercp@db.invalid:5432/ercp?connect_timeout=30")
    try:
        assert engine.url.query["connect_timeout"] == "30"
    finally:
        engine.dispose()
