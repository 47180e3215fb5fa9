"""deploy/nginx.conf rendered for loopback ports and run as a child process (the scale-out tests).

Rendering changes only the lines marked `# render:` in the file (listen address, upstream servers, Docker's
resolver), so the test runs the configuration compose deploys.
"""

import os
import shutil
from pathlib import Path

import httpx
import pytest

from tests.e2e.cluster import HOST, Process, free_port, wait_until

NGINX = "nginx"
CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf"


def require_nginx() -> None:
    if shutil.which(NGINX) is None and not Path("/usr/sbin/nginx").exists():
        if os.environ.get("CI") == "true":
            pytest.fail("needs nginx (apt-get install nginx); CI must provide it")
        pytest.skip("needs nginx (apt-get install nginx)")


def render(template: str, *, listen: int, upstreams: list[int], work: Path) -> str:
    out = []
    for line in template.splitlines():
        indent = line[: len(line) - len(line.lstrip())]
        if line.rstrip().endswith("# render: drop"):
            continue
        if line.rstrip().endswith("# render: listen"):
            out.append(f"{indent}listen {HOST}:{listen};")
        elif line.rstrip().endswith("# render: upstreams"):
            out += [f"{indent}server {HOST}:{port} max_fails=1 fail_timeout=5s;" for port in upstreams]
        elif line.startswith("http {"):
            out.append(line)
            # Everything nginx writes stays in the test's directory (it runs unprivileged paths as root too).
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
                out.append(f"  {kind}_temp_path {work}/{kind}_temp;")
            out.append(f"  access_log {work}/access.log;")
        else:
            out.append(line)
    return "\n".join(out) + "\n"


class Nginx(Process):
    def __init__(self, work: Path, upstreams: list[int]) -> None:
        self.port = free_port()
        conf = work / "nginx.conf"
        conf.write_text(render(CONFIG.read_text(), listen=self.port, upstreams=upstreams, work=work))
        binary = shutil.which(NGINX) or "/usr/sbin/nginx"
        directives = f"daemon off; master_process on; pid {work}/nginx.pid; error_log {work}/nginx-error.log;"
        super().__init__("nginx", [binary, "-p", str(work), "-c", str(conf), "-g", directives], work / "nginx.log", {})
        self.base = f"http://{HOST}:{self.port}"

    def wait_ready(self) -> None:
        def ready() -> bool:
            assert self.alive(), f"nginx exited\n{self.tail()}"
            try:
                return httpx.get(f"{self.base}/healthz", timeout=1.0, trust_env=False).status_code == 200
            except httpx.TransportError:
                return False

        wait_until(ready, 10.0, "nginx to answer /healthz")
