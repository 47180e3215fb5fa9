"""Migration 0005_enterprise turns the free-text enterprise of hazard sources into enterprises on record."""

from pathlib import Path

from sqlalchemy import text

from resources_db.engine import make_engine
from resources_db.migrate import downgrade, upgrade
from tests.backends import fresh_database

SOURCES = [
    # name, kind, jurisdiction, enterprise text
    ("冷库", "ammonia_refrigeration", "jj", "甲冷链有限公司"),
    ("码头", "port_wharf", "kk", "乙港务有限公司"),
    ("起重机", "special_equipment", "kk", "乙港务有限公司"),
    ("施工段", "construction_site", "kk", "丙建设有限公司"),
    ("加气站", "gas_station", "jj", "丙建设有限公司"),  # a second, high-risk kind wins the category
]


def test_text_enterprises_become_records_linked_to_their_sources(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path) as url:
        upgrade(url, "0004")
        engine = make_engine(url)
        try:
            with engine.begin() as conn:
                for code in ("jj", "kk"):
                    conn.execute(
                        text(
                            "INSERT INTO jurisdictions (code, name_zh, name_en, kind, center_lat, center_lon, version) "
                            "VALUES (:c, :c, :c, 'town', 20.9, 110.1, 1)"
                        ),
                        {"c": code},
                    )
                for name, kind, town, enterprise in SOURCES:
                    conn.execute(
                        text(
                            "INSERT INTO hazard_sources (name, kind, risk_level, lat, lon, jurisdiction, enterprise, "
                            "responsible_person, version) VALUES (:n, :k, 'orange', 20.9, 110.1, :j, :e, 'x', 1)"
                        ),
                        {"n": name, "k": kind, "j": town, "e": enterprise},
                    )
            upgrade(url)
            with engine.connect() as conn:
                enterprises = {
                    row.name: (row.jurisdiction, row.category, row.credit_code)
                    for row in conn.execute(text("SELECT name, jurisdiction, category, credit_code FROM enterprises"))
                }
                links: dict[str, str] = dict(
                    conn.execute(
                        text("SELECT h.name, e.name FROM hazard_sources h JOIN enterprises e ON e.id = h.enterprise_id")
                    ).all()
                )
            assert enterprises == {
                "甲冷链有限公司": ("jj", "hazardous_goods", None),
                "乙港务有限公司": ("kk", "other", None),
                "丙建设有限公司": ("kk", "hazardous_goods", None),
            }
            assert links == {name: enterprise for name, _, _, enterprise in SOURCES}
            downgrade(url, "0004")
            with engine.connect() as conn:
                assert conn.execute(text("SELECT count(*) FROM hazard_sources")).scalar() == len(SOURCES)
        finally:
            engine.dispose()
