"""nginx in front of the scale-out tests' API processes: loadtests.bench_nginx's rendering, run as a cluster Process.

The test flavour of the runner: SIGKILLed with the rest of the cluster and failing the test (not raising) when
it does not come up.
"""

import os
from pathlib import Path

import httpx
import pytest

from loadtests import bench_nginx
from tests.e2e.cluster import HOST, Process, free_port, wait_until


def require_nginx() -> None:
    if bench_nginx.binary() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("needs nginx (apt-get install nginx); CI must provide it")
        pytest.skip("needs nginx (apt-get install nginx)")


class Nginx(Process):
    def __init__(self, work: Path, upstreams: list[int]) -> None:
        self.port = free_port()
        args = bench_nginx.argv(work, listen=self.port, upstreams=upstreams)
        super().__init__("nginx", args, work / "nginx.log", {})
        self.base = f"http://{HOST}:{self.port}"

    def wait_ready(self) -> None:
        def ready() -> bool:
            assert self.alive(), f"nginx exited\n{self.tail()}"
            try:
                return httpx.get(f"{self.base}/healthz", timeout=1.0, trust_env=False).status_code == 200
            except httpx.TransportError:
                return False

        wait_until(ready, 10.0, "nginx to answer /healthz")
