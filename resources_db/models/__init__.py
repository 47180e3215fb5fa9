"""All mapped tables; importing this module registers them on `Base.metadata`."""

from resources_db.models.accounts import User
from resources_db.models.audit import AuditLog
from resources_db.models.cooperation import MutualAidRequest, ServiceAgreement
from resources_db.models.dispatches import Allocation, Dispatch
from resources_db.models.drills import Drill, DrillInject
from resources_db.models.enterprises import (
    AgreementEnterprise,
    ComplianceNotice,
    Enterprise,
    EnterpriseDrill,
    PlanRevision,
)
from resources_db.models.hazards import EmergencyPlan, HazardSource
from resources_db.models.idempotency import IdempotencyKey
from resources_db.models.incidents import Escalation, Incident, TimelineEntry
from resources_db.models.jurisdictions import Jurisdiction
from resources_db.models.outbox import EventLogMeta, OutboxEvent
from resources_db.models.supplies import Depot, StockMovement, SupplyItem
from resources_db.models.teams import RescueTeam

__all__ = [
    "AgreementEnterprise",
    "Allocation",
    "AuditLog",
    "ComplianceNotice",
    "Depot",
    "Dispatch",
    "Drill",
    "DrillInject",
    "EmergencyPlan",
    "Enterprise",
    "EnterpriseDrill",
    "Escalation",
    "EventLogMeta",
    "HazardSource",
    "IdempotencyKey",
    "Incident",
    "Jurisdiction",
    "MutualAidRequest",
    "OutboxEvent",
    "PlanRevision",
    "RescueTeam",
    "ServiceAgreement",
    "StockMovement",
    "SupplyItem",
    "TimelineEntry",
    "User",
]
