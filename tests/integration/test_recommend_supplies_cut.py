"""The database's cut of the supply library (api.recommendations.nearest_supplies) ranks as the whole library does.

Each test uses supply categories of its own, so other tests' items never interfere.
"""

import random
import uuid
from datetime import date, timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from api.recommendations.nearest_supplies import CANDIDATE_COLUMNS, SLACK, nearest_supplies
from api.rules.recommend import RankedSupply, SupplyCandidate, rank_supplies
from resources_db.enums import DepotOperator
from resources_db.models import Depot, SupplyItem
from tests.conftest import World

TODAY = date(2026, 11, 30)
PER_CATEGORY = 3


def _categories(n: int) -> list[str]:
    tag = "".join(random.choice("abcdefghij") for _ in range(8))  # letters only, like plan categories
    return [f"cut{tag}{chr(ord('a') + i)}" for i in range(n)]


def _depot(lat: float, lon: float) -> Depot:
    return Depot(
        name=f"cut-{uuid.uuid4().hex[:12]}", jurisdiction="leicheng", lat=lat, lon=lon, operator=DepotOperator.gov
    )


def _library(app: FastAPI, rnd: random.Random, categories: list[str], depots: int) -> None:
    """Depots around Leizhou, each with a few items: some expired, some at or below their minimum reserve."""
    with app.state.session_factory() as s:
        for d in range(depots):
            depot = _depot(20.9 + rnd.uniform(-0.4, 0.4), 110.1 + rnd.uniform(-0.4, 0.4))
            s.add(depot)
            s.flush()
            # Several items of one category in one depot: equal distances, ordered by what is available, then id.
            for i in range(rnd.randint(1, 4)):
                on_hand = rnd.randint(0, 60)
                expiry = rnd.choice([None, None, TODAY - timedelta(days=1), TODAY, TODAY + timedelta(days=30)])
                s.add(
                    SupplyItem(
                        depot_id=depot.id,
                        category=rnd.choice(categories),
                        name=f"item {d}-{i}",
                        unit="piece",
                        quantity_on_hand=on_hand,
                        quantity_reserved=rnd.randint(0, on_hand // 3),
                        min_reserve=rnd.choice([0, 5, 20]),
                        expires_on=expiry,
                    )
                )
        s.commit()


def _every_item(app: FastAPI, categories: list[str]) -> list[SupplyCandidate]:
    """The whole library of these categories, unfiltered: what the ranking would see without the cut."""
    stmt = (
        select(*CANDIDATE_COLUMNS)
        .join(Depot, Depot.id == SupplyItem.depot_id)
        .where(SupplyItem.category.in_(categories))
    )
    with app.state.session_factory() as s:
        return [SupplyCandidate(*row) for row in s.execute(stmt)]


def _cut(app: FastAPI, lat: float, lon: float, categories: list[str]) -> list[SupplyCandidate]:
    with app.state.session_factory() as s:
        return nearest_supplies(
            session=s, lat=lat, lon=lon, categories=frozenset(categories), per_category=PER_CATEGORY, today=TODAY
        )


def _rank(lat: float, lon: float, needed: dict[str, int], candidates: list[SupplyCandidate]) -> list[RankedSupply]:
    return rank_supplies(
        incident_lat=lat,
        incident_lon=lon,
        needed=needed,
        candidates=candidates,
        limit_per_category=PER_CATEGORY,
        today=TODAY,
    )


@pytest.mark.parametrize("seed", range(3))
def test_ranking_the_cut_gives_what_ranking_the_whole_library_gives(app: FastAPI, world: World, seed: int) -> None:
    rnd = random.Random(seed)
    categories = _categories(4)
    _library(app, rnd, categories, depots=120)
    everything = _every_item(app, categories)
    for _ in range(8):
        lat, lon = 20.9 + rnd.uniform(-0.5, 0.5), 110.1 + rnd.uniform(-0.5, 0.5)
        wanted = rnd.sample(categories, rnd.randint(1, 4))
        needed = {c: rnd.choice([1, 30, 100, 400]) for c in wanted}
        cut = _cut(app, lat, lon, wanted)
        assert len(cut) <= (PER_CATEGORY + SLACK) * len(wanted)
        expected = _rank(lat, lon, needed, everything)
        assert len(expected) == PER_CATEGORY * len(wanted)  # the library is dense enough to fill every list
        assert _rank(lat, lon, needed, cut) == expected, (lat, lon, needed)


def test_items_that_cannot_be_sent_take_no_place_in_the_cut(app: FastAPI, world: World) -> None:
    """The nearest depots hold only expired stock or stock at its reserve; the farther usable ones still come."""
    (category,) = _categories(1)
    with app.state.session_factory() as s:
        near, far = _depot(20.9, 110.1), _depot(21.2, 110.1)
        s.add_all([near, far])
        s.flush()
        for i in range(PER_CATEGORY + SLACK + 2):
            expired = i % 2 == 0
            s.add(
                SupplyItem(
                    depot_id=near.id,
                    category=category,
                    name=f"unusable {i}",
                    unit="kg",
                    quantity_on_hand=50,
                    min_reserve=0 if expired else 50,
                    expires_on=TODAY - timedelta(days=1) if expired else None,
                )
            )
        usable = [
            SupplyItem(
                depot_id=far.id,
                category=category,
                name=f"usable {i}",
                unit="kg",
                quantity_on_hand=40 + i,
                expires_on=None if i else TODAY,
            )
            for i in range(2)
        ]
        s.add_all(usable)
        s.commit()
        usable_ids = {item.id for item in usable}
    cut = _cut(app, 20.9, 110.1, [category])
    assert {c.item_id for c in cut} == usable_ids
    # More available first among items of one depot (equal distance), as rank_supplies orders them.
    assert [c.available for c in cut] == [41, 40]
