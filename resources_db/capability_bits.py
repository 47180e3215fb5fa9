"""Team capabilities stored as one integer: bit `BITS[c]` of `rescue_teams.capability_mask` ⇔ the team holds c.

A team holds a few of the 20 capability codes. As bits of a column on the
team row, the recommendation's nearest-team query filters and groups teams by
capability in its one pass over the rows near the incident; a (team,
capability) row table had to be scanned and joined twice, most of the
database's time per recommendation. `&` means the same on PostgreSQL and SQLite.

The positions are stored data: give a new capability the next free bit and
never renumber (migration 0003 carries its own copy of this table).
"""

from collections.abc import Iterable
from types import MappingProxyType

from resources_db.enums import Capability

BITS = MappingProxyType(
    {
        Capability.fire_suppression: 0,
        Capability.hazmat: 1,
        Capability.decontamination: 2,
        Capability.medical: 3,
        Capability.water_rescue: 4,
        Capability.boat: 5,
        Capability.diving: 6,
        Capability.structural_collapse: 7,
        Capability.heavy_equipment: 8,
        Capability.mine_rescue: 9,
        Capability.rope_rescue: 10,
        Capability.vehicle_extrication: 11,
        Capability.gas_repair: 12,
        Capability.power_repair: 13,
        Capability.elevator_rescue: 14,
        Capability.crowd_control: 15,
        Capability.flood_pumping: 16,
        Capability.search_rescue: 17,
        Capability.explosive_handling: 18,
        Capability.logistics: 19,
    }
)
# Sorted by code, so that decoding gives the order the API has always listed capabilities in.
_BY_CODE = tuple(sorted((c.value, 1 << bit) for c, bit in BITS.items()))


def bit_of(code: str) -> int:
    """The mask bit of one capability code; ValueError for an unknown code."""
    return 1 << BITS[Capability(code)]


def mask_of(codes: Iterable[str]) -> int:
    """The mask of a set of capability codes; ValueError for an unknown code."""
    mask = 0
    for code in codes:
        mask |= bit_of(code)
    return mask


def codes_of(mask: int) -> list[str]:
    """The capability codes of a mask, sorted."""
    return [code for code, bit in _BY_CODE if mask & bit]
