"""Settings: parsing, validation, and documentation of every setting."""

from pathlib import Path

import pytest

from geoapp.errors import ConfigError
from geoapp.settings import SETTINGS, load_settings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_defaults_point_at_the_embedded_database():
    settings = load_settings({})
    assert settings["database_url"].startswith("sqlite:///")
    assert settings["database_url"].endswith("var/geoapp.sqlite")


def test_environment_overrides_and_types():
    settings = load_settings({"GEOAPP_PAGE_SIZE": "25", "GEOAPP_HOST": "0.0.0.0"})
    assert settings["page_size"] == 25
    assert settings["host"] == "0.0.0.0"


@pytest.mark.parametrize(
    "env, message",
    [
        ({"GEOAPP_PORT": "eighty"}, "GEOAPP_PORT must be int"),
        ({"GEOAPP_PORT": "70000"}, "at most 65535"),
        ({"GEOAPP_PAGE_SIZE": "0"}, "at least 1"),
    ],
)
def test_malformed_values_are_config_errors(env, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(env)


def test_unknown_override_is_rejected():
    with pytest.raises(ConfigError, match="unknown setting"):
        load_settings({}, {"no_such_setting": 1})


def test_every_setting_is_documented_in_the_readme():
    text = README.read_text(encoding="utf-8")
    missing = [s.env for s in SETTINGS if s.env not in text]
    assert not missing, f"README.md does not document {missing}"
