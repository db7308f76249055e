"""A production's own ComfyUI workflow is a model of its own name, able to do what its
placeholders allow, and routed like the shipped ones."""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path

import pytest

from shotline.errors import InputError
from shotline.providers.routing import resolve
from shotline.providers.types import IMAGE, IMAGE_CONTROL_DEPTH, IMAGE_EDIT
from shotline.store.settings import parse_settings


def settings_with(workflow: Path) -> str:
    return f'''name = "t"
script = "t.fountain"
[providers.comfyui]
workflows = {{ pencil = "{workflow}" }}
'''


def test_a_custom_workflow_routes_under_its_own_name(tmp_path: Path) -> None:
    shipped = resources.files("shotline.providers").joinpath("comfyui_workflows",
                                                             "sdxl-img2img.json")
    path = tmp_path / "pencil.json"
    path.write_bytes(shipped.read_bytes())
    settings = parse_settings(settings_with(path))
    route = resolve(settings, "comfyui:pencil", IMAGE_EDIT, on=date.today(), environ={})
    assert route.model.name == "pencil"
    assert {IMAGE, IMAGE_EDIT} <= route.model.capabilities
    assert IMAGE_CONTROL_DEPTH not in route.model.capabilities
    with pytest.raises(InputError, match="has no model 'nosuch'"):
        resolve(settings, "comfyui:nosuch", IMAGE, on=date.today(), environ={})


def test_a_broken_custom_workflow_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    settings = parse_settings(settings_with(path))
    with pytest.raises(InputError, match=r"broken\.json"):
        resolve(settings, "comfyui:pencil", IMAGE, on=date.today(), environ={})
