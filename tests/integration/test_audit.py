"""S8: every write leaves exactly one audit row in its own transaction; nothing can change the log."""

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from resources_db.models import AuditLog
from tests.factories import make_team, ok, team_body


def _rows(app: FastAPI, entity_id: object) -> list[AuditLog]:
    with app.state.session_factory() as s:
        stmt = select(AuditLog).where(AuditLog.entity == "rescue_team", AuditLog.entity_id == str(entity_id))
        return list(s.scalars(stmt.order_by(AuditLog.id)))


def _count(app: FastAPI) -> int:
    with app.state.session_factory() as s:
        return int(s.scalar(select(func.count()).select_from(AuditLog)) or 0)


def test_each_team_write_has_exactly_one_audit_row_with_actor_role_and_change(
    app: FastAPI, client: TestClient, headers, tokens
) -> None:
    team = make_team(client, tokens["operator"], personnel=7)
    url = f"/api/v1/teams/{team['id']}"
    ok(
        client.patch(
            url,
            json={"personnel": 9},
            headers={**headers["admin"], "If-Match": f'"{team["version"]}"', "X-Request-ID": "req-s8-1"},
        )
    )
    ok(
        client.post(
            f"{url}/status", json={"status": "out_of_service", "note": "pump broken"}, headers=headers["operator"]
        )
    )
    rows = _rows(app, team["id"])
    assert [(r.action, r.actor, r.role) for r in rows] == [
        ("team.create", "operator", "operator"),
        ("team.update", "admin", "admin"),
        ("team.status", "operator", "operator"),
    ]
    assert rows[0].before is None
    assert rows[0].after is not None
    assert rows[0].after["personnel"] == 7
    assert (rows[1].before, rows[1].after) == ({"personnel": 7}, {"personnel": 9})
    # The server names the request; the client's name for it is kept beside it, never instead of it.
    assert rows[1].client_request_id == "req-s8-1"
    assert rows[1].request_id is not None
    assert len(rows[1].request_id) == 32
    assert rows[1].request_id != rows[2].request_id
    assert rows[2].before == {"status": "available"}
    assert rows[2].after == {"status": "out_of_service", "note": "pump broken"}


def test_refused_writes_leave_no_audit_row(app: FastAPI, client: TestClient, headers, tokens) -> None:
    team = make_team(client, tokens["operator"])
    before = _count(app)
    url = f"/api/v1/teams/{team['id']}"
    assert client.patch(url, json={"personnel": 3}, headers=headers["operator"]).status_code == 428
    assert (
        client.patch(url, json={"personnel": 3}, headers={**headers["operator"], "If-Match": '"99"'}).status_code == 412
    )
    assert client.post(f"{url}/status", json={"status": "on_scene"}, headers=headers["operator"]).status_code == 409
    assert client.post("/api/v1/teams", json=team_body(personnel=0), headers=headers["operator"]).status_code == 422
    assert client.post("/api/v1/teams", json=team_body(), headers=headers["observer"]).status_code == 403
    assert _count(app) == before


def test_no_route_changes_or_deletes_audit_rows(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    audit_paths = {p: set(ops) for p, ops in paths.items() if "audit" in p}
    assert audit_paths, "the audit log should be readable"
    assert all(ops == {"get"} for ops in audit_paths.values()), audit_paths
    deleting = [p for p, ops in paths.items() if "delete" in ops]
    assert deleting == []


def test_only_admins_read_the_audit_log(client: TestClient, headers) -> None:
    assert client.get("/api/v1/audit", headers=headers["observer"]).status_code == 403
    assert client.get("/api/v1/audit", headers=headers["operator"]).status_code == 403
    body = ok(client.get("/api/v1/audit", params={"entity": "rescue_team", "limit": 5}, headers=headers["admin"]))
    assert all(item["entity"] == "rescue_team" for item in body["items"])
