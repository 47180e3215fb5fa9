"""A real uvicorn server on a free loopback port, in a thread, for tests that need real HTTP concurrency."""

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_level="warning", lifespan="on", access_log=False, limit_concurrency=1000, backlog=2048
    )
    server = uvicorn.Server(config)
    started = threading.Event()

    def run() -> None:
        server.config.callback_notify = None
        server.run(sockets=[sock])

    thread = threading.Thread(target=run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    # uvicorn sets `started` once it accepts; wait for that rather than guessing a delay.
    for _ in range(200):
        if server.started:
            started.set()
            break
        thread.join(0.05)
    assert started.is_set(), "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
