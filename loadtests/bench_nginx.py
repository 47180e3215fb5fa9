"""deploy/nginx.conf rendered for loopback ports, and nginx run as a child process in front of `ercp serve`.

Rendering changes only the lines marked `# render:` in the file (listen address, upstream servers, Docker's
resolver), so a run goes through the configuration compose deploys. Used by `loadtests.surge_scale` and by the
scale-out tests (tests/e2e/nginx.py).
"""

import shutil
from pathlib import Path

from loadtests import bench_stack

HOST = "127.0.0.1"
CONFIG = Path(__file__).resolve().parents[1] / "deploy" / "nginx.conf"
DEBIAN_BINARY = "/usr/sbin/nginx"  # not on a non-root PATH on Debian


def binary() -> str | None:
    """The nginx executable, or None when it is not installed."""
    found = shutil.which("nginx")
    if found:
        return found
    return DEBIAN_BINARY if Path(DEBIAN_BINARY).exists() else None


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
            # Everything nginx writes stays in the run's directory (it would use system paths when run as root).
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
                out.append(f"  {kind}_temp_path {work}/{kind}_temp;")
            out.append(f"  access_log {work}/access.log;")
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def argv(work: Path, *, listen: int, upstreams: list[int]) -> list[str]:
    """Writes `work/nginx.conf` for these ports; the command line that runs it in the foreground."""
    exe = binary()
    if exe is None:
        raise RuntimeError("nginx is not installed (apt-get install nginx)")
    conf = work / "nginx.conf"
    conf.write_text(render(CONFIG.read_text(), listen=listen, upstreams=upstreams, work=work))
    directives = f"daemon off; master_process on; pid {work}/nginx.pid; error_log {work}/nginx-error.log;"
    return [exe, "-p", str(work), "-c", str(conf), "-g", directives]


def nginx_server(upstreams: list[int], work: Path) -> bench_stack.Server:
    """nginx on a free loopback port over the API processes listening on `upstreams`; ready when /healthz answers."""
    work.mkdir(parents=True, exist_ok=True)
    port = bench_stack.free_port()
    command = argv(work, listen=port, upstreams=upstreams)
    return bench_stack.Server("nginx", command, {}, port, work / "nginx.log", "/healthz")
