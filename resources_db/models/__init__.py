"""All mapped tables; importing this module registers them on `Base.metadata`."""

from resources_db.models.accounts import User
from resources_db.models.audit import AuditLog
from resources_db.models.hazards import EmergencyPlan, HazardSource
from resources_db.models.idempotency import IdempotencyKey
from resources_db.models.jurisdictions import Jurisdiction
from resources_db.models.supplies import Depot, StockMovement, SupplyItem
from resources_db.models.teams import RescueTeam, TeamCapability

__all__ = [
    "AuditLog",
    "Depot",
    "EmergencyPlan",
    "HazardSource",
    "IdempotencyKey",
    "Jurisdiction",
    "RescueTeam",
    "StockMovement",
    "SupplyItem",
    "TeamCapability",
    "User",
]
