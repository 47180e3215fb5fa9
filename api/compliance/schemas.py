"""What an inspector asks of the compliance view: per enterprise, what is due or overdue, and since when."""

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field

from resources_db.enterprise_enums import EnterpriseCategory


class ComplianceKind(StrEnum):
    drill = "drill"
    plan_filing = "plan-filing"
    plan_evaluation = "plan-evaluation"
    risk_assessment = "risk-assessment"


class ComplianceStatus(StrEnum):
    due = "due"
    overdue = "overdue"


class ComplianceItem(BaseModel):
    enterprise_id: int
    enterprise: str
    credit_code: str | None
    jurisdiction: str
    category: EnterpriseCategory
    kind: ComplianceKind
    subject: str = Field(description="what the clock is about: the enterprise, a plan or a hazard source")
    subject_id: int
    last_done: date | None = Field(description="last drill, issue, evaluation or assessment; null when never")
    due_on: date | None = Field(description="null when nothing is on record, so it is due at once")
    status: ComplianceStatus
    overdue_since: date | None = Field(description="the first day past due_on; null when due or never done")
    rule: str


class StatusCounts(BaseModel):
    due: int = 0
    overdue: int = 0


class ComplianceReport(BaseModel):
    as_of: date
    items: list[ComplianceItem]
    by_jurisdiction: dict[str, StatusCounts]
    by_category: dict[str, StatusCounts]
