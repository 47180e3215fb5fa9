"""Labels in Simplified Chinese and English: `t("key")` reads locales/<lang>.toml (flat keys, dotted)."""

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

LOCALES = Path(__file__).with_name("locales")
LANGUAGES = ("zh", "en")


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = str(value)
    return out


@cache
def messages(lang: str) -> dict[str, str]:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; one of {LANGUAGES}")
    with (LOCALES / f"{lang}.toml").open("rb") as f:
        return _flatten(tomllib.load(f))


def translate(lang: str, key: str, **values: object) -> str:
    """The label for `key`; a missing key shows as itself so the gap is visible (a test keeps both files full)."""
    text = messages(lang).get(key, key)
    return text.format(**values) if values else text


def labels(lang: str, group: str) -> dict[str, str]:
    """Every label under `group.` as code → text, e.g. labels("en", "severity")."""
    prefix = group + "."
    return {k[len(prefix) :]: v for k, v in messages(lang).items() if k.startswith(prefix)}
