"""Factories for enterprises on record, their drills and plans; plain functions over the HTTP API."""

import secrets
from typing import Any

import httpx

from resources_db.credit_code import ALPHABET, check_character
from tests.factories import auth, ok, unique

LEIZHOU_DIVISION = "440882"  # 雷州市 in GB/T 2260


def credit_code() -> str:
    """A fresh, valid unified social credit code of a company (91) registered in Leizhou."""
    body = "91" + LEIZHOU_DIVISION + "".join(secrets.choice(ALPHABET) for _ in range(9))
    return body + check_character(body)


def with_wrong_check_character(code: str) -> str:
    return code[:17] + ALPHABET[(ALPHABET.index(code[17]) + 1) % len(ALPHABET)]


def enterprise_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": unique("雷州测试化工有限公司"),
        "credit_code": credit_code(),
        "jurisdiction": "leicheng",
        "sector": "危险化学品储存经营",
        "category": "hazardous_goods",
        "contact_person": "陈建华",
        "contact_phone": "0759-8800001",
    }
    body.update(overrides)
    return body


def make_enterprise(client: httpx.Client | Any, token: str, **overrides: Any) -> dict[str, Any]:
    r = client.post("/api/v1/enterprises", json=enterprise_body(**overrides), headers=auth(token))
    return ok(r, 201)  # type: ignore[no-any-return]


def drill_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "held_on": "2026-03-10",
        "form": "live",
        "scope": "on_site",
        "summary": "储罐区泄漏现场处置演练",
        "findings": "堵漏器材取用耗时偏长",
        "reported_on": "2026-03-12",
    }
    body.update(overrides)
    return body


def record_drill(client: httpx.Client | Any, token: str, enterprise_id: int, **overrides: Any) -> dict[str, Any]:
    r = client.post(f"/api/v1/enterprises/{enterprise_id}/drills", json=drill_body(**overrides), headers=auth(token))
    return ok(r, 201)  # type: ignore[no-any-return]


def row_counts(app: Any) -> dict[str, int]:
    """Rows per table an enterprise-responsibility write could touch: compare before/after a refused request."""
    from sqlalchemy import func, select

    from resources_db.models import AuditLog, EmergencyPlan, Enterprise, EnterpriseDrill, OutboxEvent, PlanRevision

    tables = (Enterprise, EnterpriseDrill, PlanRevision, EmergencyPlan, AuditLog, OutboxEvent)
    with app.state.session_factory() as s:
        return {m.__tablename__: int(s.scalar(select(func.count()).select_from(m)) or 0) for m in tables}
