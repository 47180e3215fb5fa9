"""The runner's HTTP side: sign in, call the API, retry what the API says is worth retrying.

Errors:

DrillApiError            the API refused a request (4xx), with its problem+json detail
httpx.HTTPError          transport failures and 5xx after the retries
"""

import getpass
import os
import time
from typing import Any

import httpx

API = "/api/v1"
RETRY_STATUSES = frozenset({502, 503, 504})


class DrillApiError(Exception):
    """A 4xx answer; `status` and `problem` hold what the API said."""

    def __init__(self, method: str, path: str, status: int, problem: dict[str, Any]) -> None:
        self.status = status
        self.problem = problem
        super().__init__(f"{method} {path}: {status} {problem.get('detail') or problem.get('title') or ''}".strip())


def credentials(user: str | None = None) -> tuple[str, str]:
    """ERCP_USER / ERCP_PASSWORD, prompting for what is missing."""
    username = user or os.environ.get("ERCP_USER") or input("username: ")
    password = os.environ.get("ERCP_PASSWORD") or getpass.getpass(f"password for {username}: ")
    return username, password


class Api:
    """A signed-in client of one API base URL."""

    def __init__(self, base_url: str, *, transport: httpx.BaseTransport | None = None, retries: int = 5) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = httpx.Client(base_url=self.base_url, timeout=30.0, transport=transport)
        self.retries = retries
        self.token: str | None = None
        self.username: str | None = None

    def close(self) -> None:
        self.http.close()

    def sign_in(self, username: str, password: str) -> None:
        response = self.http.post(f"{API}/auth/token", data={"username": username, "password": password})
        if response.status_code != 200:
            raise DrillApiError("POST", "/auth/token", response.status_code, _problem(response))
        self.token = response.json()["access_token"]
        self.username = username
        self.http.headers["Authorization"] = f"Bearer {self.token}"

    def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """One request; 502/503/504 are retried with backoff, and so are transport errors of requests a retry
        cannot repeat (reads, and writes with an Idempotency-Key): a lost answer to any other write is raised."""
        repeatable = method == "GET" or bool(headers and "Idempotency-Key" in headers)
        for attempt in range(self.retries + 1):
            try:
                response = self.http.request(method, API + path, json=json, params=params, headers=headers)
            except httpx.TransportError:
                if attempt == self.retries or not repeatable:
                    raise
                time.sleep(min(2.0, 0.1 * 2**attempt))
                continue
            if response.status_code in RETRY_STATUSES and attempt < self.retries:
                time.sleep(float(response.headers.get("Retry-After", 0) or 0) or min(2.0, 0.1 * 2**attempt))
                continue
            if 400 <= response.status_code < 500:
                raise DrillApiError(method, path, response.status_code, _problem(response))
            response.raise_for_status()
            return response
        raise AssertionError("unreachable")

    def get(self, path: str, **params: Any) -> Any:
        return self.call("GET", path, params=params or None).json()

    def post(self, path: str, body: Any, *, key: str | None = None) -> Any:
        headers = {"Idempotency-Key": key} if key else None
        return self.call("POST", path, json=body, headers=headers).json()

    def all_pages(self, path: str, **params: Any) -> list[dict[str, Any]]:
        """Every item of a paginated list."""
        items: list[dict[str, Any]] = []
        cursor = None
        while True:
            page = self.get(path, limit=500, **params, **({"cursor": cursor} if cursor else {}))
            items += page["items"]
            cursor = page.get("next_cursor")
            if not cursor:
                return items


def _problem(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {"detail": response.text[:200]}
    return body if isinstance(body, dict) else {"detail": str(body)}
