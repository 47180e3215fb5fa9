"""CSV in and out for spreadsheets kept by operators.

Import is all-or-nothing: every row is validated first, and one bad row
anywhere means nothing is written. Errors name the file line (the header is
line 1) and the column, so an operator can fix the sheet.

Exported text that a spreadsheet would run as a formula (a cell starting
with `=`, `+`, `-`, `@`, tab or carriage return: OWASP "CSV injection") goes
out behind a `'`, which spreadsheets show as plain text; import takes that
`'` off again, so an unedited export re-imports unchanged.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from api.errors import InvalidInput

M = TypeVar("M", bound=BaseModel)

MAX_ROWS = 20_000
UTF8_BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str | None:
    # Strip first: the guard quote sits before a tab or CR that strip() would otherwise keep.
    if value.startswith("'") and value[1:].startswith(FORMULA_START):
        value = value[1:]
    value = value.strip()
    return value or None


def parse(data: bytes, model: type[M], *, list_fields: Sequence[str] = ()) -> list[tuple[int, M]]:
    """(line number, validated row) for every data row, or InvalidInput listing every bad cell.

    Empty cells are absent values; `list_fields` hold `;`-separated lists.
    """
    try:
        text = data.decode("utf-8").removeprefix(UTF8_BOM)
    except UnicodeDecodeError as exc:
        raise InvalidInput("the file is not UTF-8 text", [{"line": None, "field": None, "message": str(exc)}]) from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    known = set(model.model_fields)
    header = reader.fieldnames or []
    unknown = [h for h in header if h not in known]
    missing = [n for n, f in model.model_fields.items() if f.is_required() and n not in header]
    if not header or unknown or missing:
        problems = [{"line": 1, "field": h, "message": "unknown column"} for h in unknown]
        problems += [{"line": 1, "field": m, "message": "required column missing"} for m in missing]
        if not header:
            problems.append({"line": 1, "field": None, "message": "the file has no header row"})
        raise InvalidInput("the header row does not match the expected columns", problems)

    rows: list[tuple[int, M]] = []
    errors: list[dict[str, Any]] = []
    records = iter(reader)
    while True:
        try:
            record = next(records)
        except StopIteration:
            break
        except csv.Error as exc:  # e.g. a cell over the csv module's field size limit, or a stray NUL
            raise InvalidInput("the file is not valid CSV", [row_error(reader.line_num, "", str(exc))]) from exc
        line = reader.line_num
        if len(rows) + len(errors) >= MAX_ROWS:
            raise InvalidInput(f"at most {MAX_ROWS} rows per file", [row_error(line, "", "too many rows")])
        if None in record:
            errors.append({"line": line, "field": None, "message": "more cells than header columns"})
            continue
        values: dict[str, Any] = {}
        for key, raw in record.items():
            cell = _cell(raw or "")
            if cell is None:
                continue
            values[key] = [p.strip() for p in cell.split(";") if p.strip()] if key in list_fields else cell
        try:
            rows.append((line, model.model_validate(values)))
        except ValidationError as exc:
            for err in exc.errors():
                field = ".".join(str(p) for p in err["loc"][:1]) or None
                errors.append({"line": line, "field": field, "message": err["msg"]})
    if errors:
        lines = sorted({e["line"] for e in errors})
        raise InvalidInput(f"{len(lines)} bad row(s); nothing was imported", errors)
    return rows


def row_error(line: int, field: str, message: str) -> dict[str, Any]:
    return {"line": line, "field": field, "message": message}


def _out(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        value = ";".join(map(str, value))
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value  # numbers stay numbers: only text can carry a formula
    return "" if value is None else value


def render(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> str:
    """CSV text with a header; lists become `;`-separated cells, None an empty cell."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _out(v) for k, v in row.items()})
    return out.getvalue()
