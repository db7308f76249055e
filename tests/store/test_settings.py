"""shotline.toml: written readable, read strictly."""

from __future__ import annotations

import pytest

from shotline.errors import InputError
from shotline.store.settings import Policy, Settings, parse_settings, render_settings


def test_rendered_settings_read_back() -> None:
    settings = Settings(name='The "Night" Market', script="night.fountain", fps=25,
                        width=1280, height=720, database_url="postgresql+psycopg://u@h/db",
                        policy=Policy(regions=("eu",), budget_usd=12.5))
    again = parse_settings(render_settings(settings))
    assert again == Settings(**{**settings.__dict__, "providers": {"default": "previs"}})


def test_defaults_are_fail_closed() -> None:
    settings = parse_settings('name = "x"\nscript = "x.fountain"\n')
    assert settings.policy.allow_training_on_inputs is False
    assert settings.policy.max_retention_days == 0
    assert (settings.fps, settings.width, settings.height) == (24, 960, 540)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('name = "x"\nscript = "x.fountain"\n[video]\nfps = "fast"\n', "video.fps must be int"),
        ('name = "x"\nscript = "x.fountain"\n[video]\nfps = 0\n', "between 1 and 240"),
        ('name = "x"\nscript = "../../etc/passwd"\n', "inside the project"),
        ('name = "x"\nscript = "/etc/passwd"\n', "inside the project"),
        ('script = "x.fountain"\n', "name must be str"),
        ("name = \n", "not valid TOML"),
        ('name = "x"\nscript = "x.fountain"\nvideo = 3\n', "[video] must be a table"),
    ],
)
def test_bad_settings_are_refused_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_settings(text, source="proj/shotline.toml")
    assert message in str(caught.value)
    assert "proj/shotline.toml" in str(caught.value)


def test_environment_database_url_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    from pathlib import Path

    settings = parse_settings('name = "x"\nscript = "x.fountain"\n')
    assert settings.effective_database_url(Path("/p")).endswith("/p/.shotline/project.db")
    monkeypatch.setenv("SHOTLINE_DATABASE_URL", "postgresql+psycopg://a@b/c")
    assert settings.effective_database_url(Path("/p")) == "postgresql+psycopg://a@b/c"
