"""Route class that ends the request's unit of work inside the view's own thread.

A sync view runs in one threadpool hop; FastAPI tears dependencies down in
another. A session still holding a pooled connection between those hops
would wait for a thread while holding a connection others wait for: under a
burst, every thread ends up waiting on the pool and every connection on a
thread (a deadlock until the pool timeout). Closing the session as the view
returns gives the connection back before the hop ends. Views return pydantic
models or responses, never live ORM objects, so nothing reads after this.
"""

import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi.routing import APIRoute
from sqlalchemy.orm import Session


def _closing_sessions(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(endpoint):
        return endpoint

    @functools.wraps(endpoint)
    def view(*args: Any, **kwargs: Any) -> Any:
        try:
            return endpoint(*args, **kwargs)
        finally:
            for value in kwargs.values():
                if isinstance(value, Session):
                    value.close()

    return view


class UnitOfWorkRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, _closing_sessions(endpoint), **kwargs)
