"""docs/configuration.md names every setting the API reads, so an operator can find each one."""

from pathlib import Path

from api.settings import Settings

DOC = (Path(__file__).resolve().parents[2] / "docs" / "configuration.md").read_text()


def test_every_environment_setting_is_documented() -> None:
    aliases = [field.alias for field in Settings.model_fields.values() if field.alias]
    assert "ERCP_SECRET_KEY" in aliases
    assert [alias for alias in aliases if f"`{alias}`" not in DOC] == []
