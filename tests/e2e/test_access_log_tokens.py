"""Issue 10: a served process's logs never carry a token, even one a client put in a URL.

Before: `/ws?token=…` was refused, but uvicorn had already written the request line, token and all, to its
log (the access log for HTTP, the error log for a websocket handshake). Now token-like query parameters are
redacted (api.access_log). The test runs `ercp serve` with access logging on, uses a real token in a header,
in query strings and in a websocket URL, and greps everything the process wrote.
"""

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
from websockets.exceptions import InvalidStatus, WebSocketException
from websockets.sync.client import connect

from api.auth import keys
from tests.e2e.cluster import free_port, wait_until

ERCP = str(Path(sys.executable).with_name("ercp"))
PASSWORD = "harbour-lantern-ferry-47"


def _env(db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ERCP_", "DATABASE_URL", "REDIS_URL"))}
    env.update(DATABASE_URL=f"sqlite:///{db}", ERCP_SECRET_KEY=keys.random_key(), ERCP_NEW_USER_PASSWORD=PASSWORD)
    return env


def _run(args: list[str], env: dict[str, str], cwd: Path) -> None:
    done = subprocess.run(  # noqa: S603 (our own console script, fixed arguments)
        [ERCP, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr


def _up(url: str) -> bool:
    with contextlib.suppress(httpx.HTTPError):
        return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
    return False


@contextlib.contextmanager
def _served(tmp_path: Path, db: str, user: str, log: Path, **settings: str) -> Iterator[tuple[str, int, str]]:
    """`ercp serve` with access logging on, everything it writes in `log`: (base URL, port, `user`'s token)."""
    env = {**_env(tmp_path / db), **settings}
    _run(["migrate"], env, tmp_path)
    _run(["users", "create", user, "--role", "observer"], env, tmp_path)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("w") as out:
        proc = subprocess.Popen(  # noqa: S603 (our own console script, fixed arguments)
            [ERCP, "serve", "--host", "127.0.0.1", "--port", str(port), "--log-level", "info"],
            env=env,
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until(lambda: _up(url), 60, "ercp serve on /healthz")
            r = httpx.post(f"{url}/api/v1/auth/token", data={"username": user, "password": PASSWORD})
            yield url, port, r.raise_for_status().json()["access_token"]
        finally:
            proc.terminate()
            proc.wait(30)


def test_served_logs_never_carry_a_token(tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    with _served(tmp_path, "logs.db", "log-reader", log) as (url, port, token):
        assert httpx.get(f"{url}/api/v1/teams", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        for params in ({"token": token}, {"access_token": token}, {"limit": "5", "api_key": token}):
            httpx.get(f"{url}/api/v1/teams", params=params)
        # Refused (at the handshake or with a close); either way uvicorn has logged the URL by then.
        ws_url = f"ws://127.0.0.1:{port}/api/v1/ws?token={token}"
        with (
            contextlib.suppress(InvalidStatus, WebSocketException, OSError, TimeoutError),
            connect(ws_url, open_timeout=5) as ws,
        ):
            ws.recv(timeout=2)
    text = log.read_text()
    print(f"access_log_tokens: {len(text.splitlines())} log lines, token found {text.count(token)} times")
    assert "GET /api/v1/teams HTTP/1.1" in text, "access logging was off: the test would prove nothing\n" + text
    assert "/api/v1/teams?token=[redacted]" in text
    assert "limit=5&api_key=[redacted]" in text
    assert token not in text


def test_json_logs_carry_the_request_id_the_answer_carries(tmp_path: Path) -> None:
    """ERCP_LOG_FORMAT=json: every line one JSON object; a failed answer's request id finds its access line."""
    log = tmp_path / "serve.jsonl"
    with _served(tmp_path, "json.db", "json-reader", log, ERCP_LOG_FORMAT="json") as (url, _, token):
        missing = httpx.get(f"{url}/api/v1/teams/2147483000", headers={"Authorization": f"Bearer {token}"})
        leaked = httpx.get(f"{url}/api/v1/teams", params={"access_token": token})
    lines = log.read_text().splitlines()
    records = [json.loads(line) for line in lines]  # a line that is not JSON fails here
    assert missing.status_code == 404
    assert leaked.status_code == 401
    problem_id = missing.json()["request_id"]
    assert problem_id == missing.headers["X-Request-ID"]
    access = [r for r in records if r.get("logger") == "uvicorn.access"]
    matching = [r for r in access if r.get("request_id") == problem_id]
    print(f"json_logs: {len(records)} lines, {len(access)} access lines, request {problem_id} -> {matching}")
    assert len(matching) == 1
    assert matching[0]["status"] == 404
    assert matching[0]["path"] == "/api/v1/teams/2147483000"
    assert {"time", "level", "message"} <= matching[0].keys()
    redacted = [r for r in access if r.get("request_id") == leaked.headers["X-Request-ID"]]
    assert [r["path"] for r in redacted] == ["/api/v1/teams?access_token=[redacted]"]
    assert token not in log.read_text()
