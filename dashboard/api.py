"""The board's HTTP client of the API: one method per call the pages make, errors turned into messages.

Exceptions (every failure a page can meet is one of these, each with a message fit to show):

ApiError                 the API answered 4xx/5xx (problem+json `title`/`detail` kept) or could not be reached
 ├── SessionExpired      401: the token is expired or revoked; the board sends the user back to sign-in
 └── Unreachable         connection refused, timeout, DNS: the API is down or the URL is wrong

The token is a constructor argument kept in memory only; it goes in the
Authorization header and never in a URL or a log line.
"""

import uuid
from typing import Any

import httpx

# Tests replace this with an httpx.MockTransport; None means real network I/O.
TRANSPORT: httpx.BaseTransport | None = None
API_PREFIX = "/api/v1"
TIMEOUT = httpx.Timeout(10.0, connect=3.0)

Json = dict[str, Any]


class ApiError(Exception):
    """The API refused the request or could not be reached; str() is a message for the user."""

    def __init__(self, message: str, status: int | None = None, problem: Json | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.problem = problem or {}


class SessionExpired(ApiError):
    """401: sign in again."""


class Unreachable(ApiError):
    """No answer from the API at all."""


def _message(response: httpx.Response) -> tuple[str, Json]:
    try:
        body = response.json()
    except ValueError:
        return f"{response.status_code}: {response.text[:200]}", {}
    if not isinstance(body, dict):
        return f"{response.status_code}", {}
    title = str(body.get("title") or response.reason_phrase)
    detail = body.get("detail")
    errors = body.get("errors") or body.get("invalid_params") or []
    fields = "; ".join(f"{e.get('field', '')}: {e.get('message', '')}" for e in errors if isinstance(e, dict))
    text = f"{response.status_code} {title}" + (f" — {detail}" if detail and detail != title else "")
    return text + (f" ({fields})" if fields else ""), body


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


class Api:
    """One signed-in user's view of the API (or an anonymous one, for sign-in)."""

    def __init__(self, base_url: str, token: str | None = None, transport: httpx.BaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(
            base_url=self.base_url + API_PREFIX,
            headers=headers,
            timeout=TIMEOUT,
            transport=transport if transport is not None else TRANSPORT,
        )

    def close(self) -> None:
        self._http.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise Unreachable(f"API unreachable at {self.base_url}: {type(exc).__name__}") from exc
        if response.status_code == 401:
            message, problem = _message(response)
            raise SessionExpired(message, 401, problem)
        if response.status_code >= 400:
            message, problem = _message(response)
            raise ApiError(message, response.status_code, problem)
        return response

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self._request(method, path, **kwargs).json()

    def _items(self, path: str, params: dict[str, Any] | None = None, limit: int = 500) -> list[Json]:
        """Every item of a paginated list, up to `limit`."""
        out: list[Json] = []
        query = dict(params or {})
        query["limit"] = min(limit, 500)
        while True:
            page = self._json("GET", path, params=query)
            out.extend(page["items"])
            if not page.get("next_cursor") or len(out) >= limit:
                return out[:limit]
            query["cursor"] = page["next_cursor"]

    # -- auth ------------------------------------------------------------------------------------

    def sign_in(self, username: str, password: str) -> str:
        """A bearer token for these credentials; a wrong password is a SessionExpired with the API's words."""
        body = self._json("POST", "/auth/token", data={"username": username, "password": password})
        return str(body["access_token"])

    def me(self) -> Json:
        result: Json = self._json("GET", "/auth/me")
        return result

    # -- situation -------------------------------------------------------------------------------

    def situation(self, *, drill_id: int | None = None, include_drills: bool = False) -> Json:
        params: dict[str, Any] = {"positions": "true", "include_drills": str(include_drills).lower()}
        if drill_id is not None:
            params["drill_id"] = drill_id
        result: Json = self._json("GET", "/situation", params=params)
        return result

    # -- incidents -------------------------------------------------------------------------------

    def create_incident(self, body: Json, idempotency_key: str) -> Json:
        result: Json = self._json("POST", "/incidents", json=body, headers={"Idempotency-Key": idempotency_key})
        return result

    def incident(self, incident_id: int) -> Json:
        result: Json = self._json("GET", f"/incidents/{incident_id}")
        return result

    def incidents(self, **params: Any) -> list[Json]:
        return self._items("/incidents", params)

    def timeline(self, incident_id: int) -> list[Json]:
        return self._items(f"/incidents/{incident_id}/timeline")

    def transition(self, incident_id: int, status: str) -> Json:
        result: Json = self._json("POST", f"/incidents/{incident_id}/transitions", json={"status": status})
        return result

    def recommendation(self, incident_id: int) -> Json:
        result: Json = self._json("GET", f"/incidents/{incident_id}/recommendations")
        return result

    def cap(self, incident_id: int) -> bytes:
        return self._request("GET", f"/incidents/{incident_id}/cap").content

    # -- dispatches and allocations --------------------------------------------------------------

    def dispatch(self, incident_id: int, team_id: int, idempotency_key: str) -> Json:
        result: Json = self._json(
            "POST",
            "/dispatches",
            json={"incident_id": incident_id, "team_id": team_id},
            headers={"Idempotency-Key": idempotency_key},
        )
        return result

    def dispatches(self, **params: Any) -> list[Json]:
        return self._items("/dispatches", params)

    def dispatch_status(self, dispatch_id: int, status: str) -> Json:
        result: Json = self._json("POST", f"/dispatches/{dispatch_id}/status", json={"status": status})
        return result

    def allocate(self, incident_id: int, supply_item_id: int, quantity: int, idempotency_key: str) -> Json:
        result: Json = self._json(
            "POST",
            "/allocations",
            json={"incident_id": incident_id, "supply_item_id": supply_item_id, "quantity": quantity},
            headers={"Idempotency-Key": idempotency_key},
        )
        return result

    def allocations(self, **params: Any) -> list[Json]:
        return self._items("/allocations", params)

    # -- escalations -----------------------------------------------------------------------------

    def escalations(self, **params: Any) -> list[Json]:
        return self._items("/escalations", params)

    def report_escalation(self, escalation_id: int) -> Json:
        result: Json = self._json("POST", f"/escalations/{escalation_id}/report", json={})
        return result

    # -- registry --------------------------------------------------------------------------------

    def teams(self, **params: Any) -> list[Json]:
        return self._items("/teams", params)

    def team(self, team_id: int) -> Json:
        result: Json = self._json("GET", f"/teams/{team_id}")
        return result

    def team_status(self, team_id: int, status: str) -> Json:
        result: Json = self._json("POST", f"/teams/{team_id}/status", json={"status": status})
        return result

    def depots(self) -> list[Json]:
        return self._items("/depots")

    def supplies(self, **params: Any) -> list[Json]:
        return self._items("/supply-items", params)

    def supplies_csv(self) -> bytes:
        return self._request("GET", "/supply-items/export.csv").content

    def import_supplies(self, csv_bytes: bytes) -> Json:
        files = {"file": ("supplies.csv", csv_bytes, "text/csv")}
        result: Json = self._json("POST", "/supply-items/import", files=files)
        return result

    def hazards(self, **params: Any) -> list[Json]:
        return self._items("/hazard-sources", params)

    def jurisdictions(self) -> list[Json]:
        return self._items("/jurisdictions")

    # -- cooperation and drills ------------------------------------------------------------------

    def mutual_aid(self, **params: Any) -> list[Json]:
        return self._items("/mutual-aid-requests", params)

    def mutual_aid_action(self, request_id: int, action: str, body: Json | None = None) -> Json:
        result: Json = self._json("POST", f"/mutual-aid-requests/{request_id}/{action}", json=body or {})
        return result

    def compensation(self, month: str) -> Json:
        result: Json = self._json("GET", "/compensation", params={"month": month})
        return result

    def compensation_csv(self, month: str) -> bytes:
        return self._request("GET", "/compensation/export.csv", params={"month": month}).content

    def drills(self) -> list[Json]:
        return self._items("/drills")

    def start_drill(self, name: str, scenario: str | None) -> Json:
        result: Json = self._json("POST", "/drills", json={"name": name, "scenario": scenario})
        return result

    def end_drill(self, drill_id: int) -> Json:
        result: Json = self._json("POST", f"/drills/{drill_id}/end", json={})
        return result
