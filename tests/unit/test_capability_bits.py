import importlib.util
from pathlib import Path

import pytest

from resources_db import capability_bits
from resources_db.capability_bits import BITS, bit_of, codes_of, mask_of
from resources_db.enums import Capability

MIGRATION = Path(capability_bits.__file__).parent / "migrations" / "versions" / "0003_team_capability_mask.py"


def test_every_capability_has_its_own_bit_within_a_signed_bigint() -> None:
    assert set(BITS) == set(Capability)
    assert len(set(BITS.values())) == len(BITS)
    assert all(0 <= bit < 63 for bit in BITS.values())


def test_mask_and_codes_round_trip_sorted_without_duplicates() -> None:
    mask = mask_of(["hazmat", "boat", "hazmat", "logistics"])
    assert mask == bit_of("hazmat") | bit_of("boat") | bit_of("logistics")
    assert codes_of(mask) == ["boat", "hazmat", "logistics"]
    assert codes_of(0) == []
    assert codes_of(mask_of(c.value for c in Capability)) == sorted(c.value for c in Capability)


def test_unknown_code_is_refused() -> None:
    with pytest.raises(ValueError, match="teleportation"):
        mask_of(["hazmat", "teleportation"])


def test_migration_0003_carries_the_same_positions() -> None:
    # The migration keeps its own copy (a migration must not change later); the two must agree on what it covers.
    spec = importlib.util.spec_from_file_location("migration_0003", MIGRATION)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert {Capability(code): bit for code, bit in module.BITS.items()} == {
        c: b for c, b in BITS.items() if c.value in module.BITS
    }
    assert len(module.BITS) == 20
