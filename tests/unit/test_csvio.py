"""CSV in and out (api.common.csvio): formula cells go out inert and come back as they were."""

import csv
import io
from typing import Any

from pydantic import BaseModel

from api.common import csvio


class Row(BaseModel):
    name: str
    note: str | None = None
    delta: int | None = None
    tags: list[str] = []


def test_text_a_spreadsheet_would_run_is_exported_behind_a_quote() -> None:
    rows: list[dict[str, Any]] = [
        {"name": '=HYPERLINK("http://x","y")', "note": "+1 555", "delta": -5, "tags": ["@ops"]},
        {"name": "-cmd|' /C calc'!A0", "note": "\tlead tab", "delta": 3, "tags": []},
        {"name": "雷州消防", "note": "plain", "delta": None, "tags": ["a", "b"]},
    ]
    text = csvio.render(["name", "note", "delta", "tags"], rows)
    cells = list(csv.DictReader(io.StringIO(text)))
    assert cells[0] == {"name": '\'=HYPERLINK("http://x","y")', "note": "'+1 555", "delta": "-5", "tags": "'@ops"}
    assert cells[1]["name"] == "'-cmd|' /C calc'!A0"
    assert cells[1]["note"] == "'\tlead tab"
    assert cells[1]["delta"] == "3"
    assert cells[2] == {"name": "雷州消防", "note": "plain", "delta": "", "tags": "a;b"}


def test_an_exported_guard_quote_is_removed_on_import_so_the_text_round_trips() -> None:
    rows: list[dict[str, Any]] = [
        {"name": "=1+1", "note": "-", "delta": -5, "tags": ["@x", "y"]},
        {"name": "'quoted", "note": None},
    ]
    text = csvio.render(["name", "note", "delta", "tags"], rows)
    parsed = [row for _, row in csvio.parse(text.encode(), Row, list_fields=["tags"])]
    assert parsed[0] == Row(name="=1+1", note="-", delta=-5, tags=["@x", "y"])
    # A quote that guards nothing is the operator's own text and stays.
    assert parsed[1] == Row(name="'quoted")
