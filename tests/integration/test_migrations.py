"""The Alembic chain builds the schema the models describe, on an empty database of each backend."""

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

import resources_db.models  # noqa: F401  (registers every table)
from resources_db.base import Base
from resources_db.capability_bits import codes_of, mask_of
from resources_db.engine import make_engine
from resources_db.migrate import downgrade, upgrade
from tests.backends import fresh_database


def _diff(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(ctx, Base.metadata))
    finally:
        engine.dispose()


def test_upgrade_head_on_empty_database_matches_the_models(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path) as url:
        upgrade(url)
        assert _diff(url) == []
        engine = make_engine(url)
        try:
            tables = set(inspect(engine).get_table_names())
        finally:
            engine.dispose()
        assert set(Base.metadata.tables) <= tables
        assert "alembic_version" in tables


def test_downgrade_to_base_and_back_up_again(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path) as url:
        upgrade(url)
        downgrade(url, "base")
        engine = make_engine(url)
        try:
            assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        finally:
            engine.dispose()
        upgrade(url)
        assert _diff(url) == []


@pytest.mark.parametrize("table", ["audit_log", "stock_movements"])
def test_database_refuses_to_change_append_only_tables(backend: str, tmp_path: Path, table: str) -> None:
    with fresh_database(backend, tmp_path) as url:
        upgrade(url)
        engine = make_engine(url)
        try:
            with engine.begin() as conn:
                if table == "audit_log":
                    conn.execute(
                        text(
                            "INSERT INTO audit_log (actor, role, action, entity, entity_id, at) "
                            "VALUES ('a', 'admin', 'x', 'y', '1', CURRENT_TIMESTAMP)"
                        )
                    )
                else:
                    conn.execute(
                        text(
                            "INSERT INTO jurisdictions (code, name_zh, name_en, kind, center_lat, center_lon, version) "
                            "VALUES ('jj', 'j', 'J', 'town', 20.9, 110.1, 1)"
                        )
                    )
                    conn.execute(
                        text(
                            "INSERT INTO depots (name, jurisdiction, lat, lon, operator, version) "
                            "VALUES ('d', 'jj', 20.9, 110.1, 'gov', 1)"
                        )
                    )
                    conn.execute(
                        text(
                            "INSERT INTO supply_items (depot_id, category, name, unit, quantity_on_hand, "
                            "quantity_reserved, min_reserve, version) VALUES (1, 'tents', 't', 'pcs', 5, 0, 0, 1)"
                        )
                    )
                    conn.execute(
                        text(
                            "INSERT INTO stock_movements (supply_item_id, delta, reason, actor, at) "
                            "VALUES (1, 5, 'receive', 'a', CURRENT_TIMESTAMP)"
                        )
                    )
            for statement in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):
                with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
                    conn.execute(text(statement))
            with engine.connect() as conn:
                assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 1
        finally:
            engine.dispose()


def test_0003_moves_team_capabilities_into_the_mask_and_back(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path) as url:
        upgrade(url, "0002")
        engine = make_engine(url)
        try:
            with engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO jurisdictions (code, name_zh, name_en, kind, center_lat, center_lon, version) "
                        "VALUES ('jj', 'j', 'J', 'town', 20.9, 110.1, 1)"
                    )
                )
                for team_id, name in ((1, "a"), (2, "b")):
                    conn.execute(
                        text(
                            "INSERT INTO rescue_teams (id, name, kind, personnel, home_jurisdiction, base_lat, "
                            "base_lon, status, version) VALUES (:id, :name, 'militia', 5, 'jj', 20.9, 110.1, "
                            "'available', 1)"
                        ),
                        {"id": team_id, "name": name},
                    )
                for cap in ("hazmat", "logistics", "fire_suppression"):
                    conn.execute(text("INSERT INTO team_capabilities (team_id, capability) VALUES (1, :c)"), {"c": cap})
            upgrade(url)
            with engine.connect() as conn:
                masks: dict[str, int] = dict(conn.execute(text("SELECT name, capability_mask FROM rescue_teams")).all())
            assert masks == {"a": mask_of(["hazmat", "logistics", "fire_suppression"]), "b": 0}
            assert codes_of(masks["a"]) == ["fire_suppression", "hazmat", "logistics"]

            downgrade(url, "0002")
            with engine.connect() as conn:
                rows = conn.execute(text("SELECT team_id, capability FROM team_capabilities")).all()
            assert sorted(rows) == [(1, "fire_suppression"), (1, "hazmat"), (1, "logistics")]
        finally:
            engine.dispose()
