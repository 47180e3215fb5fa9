"""Scenario time: durations written as `90`, `90s`, `5m`, `2h`, `MM:SS` or `HH:MM:SS`, held as seconds."""

import re
from typing import Annotated

from pydantic import BeforeValidator

_UNIT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smh])\s*$")
_SECONDS = {"s": 1, "m": 60, "h": 3600}


def parse_duration(value: object) -> float:
    """Seconds from a number or one of the written forms; ValueError says which forms are accepted."""
    if isinstance(value, bool):
        raise ValueError("a duration is a number of seconds, 90s, 5m, 2h, MM:SS or HH:MM:SS")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and (match := _UNIT.match(value)):
        seconds = float(match.group(1)) * _SECONDS[match.group(2)]
    elif isinstance(value, str) and re.fullmatch(r"\s*\d+(:\d{1,2}){1,2}\s*", value):
        parts = [int(p) for p in value.strip().split(":")]
        if any(p >= 60 for p in parts[1:]):
            raise ValueError(f"{value!r}: minutes and seconds run 0–59")
        seconds = float(sum(p * 60**i for i, p in enumerate(reversed(parts))))
    else:
        raise ValueError(f"{value!r} is not a duration (seconds, 90s, 5m, 2h, MM:SS or HH:MM:SS)")
    if seconds < 0:
        raise ValueError("a duration cannot be negative")
    return seconds


def format_clock(seconds: float) -> str:
    """Scenario time as H:MM:SS."""
    whole = max(0, round(seconds))
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


Duration = Annotated[float, BeforeValidator(parse_duration)]
