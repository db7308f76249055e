"""Finding providers through entry points: the built-ins, a third party's plugin installed
beside them, plugins that cannot be loaded, and provider references."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from shotline.errors import InputError
from shotline.providers.builtin import ESPEAK, HASHING, PREVIS
from shotline.providers.registry import GROUP, Broken, discover, find, split_ref
from shotline.providers.types import ProviderInfo
from tests.providers.plugins import ACME, install, install_acme

ROOT = Path(__file__).resolve().parents[2]

GOOD_MODULE = """
from shotline.governance.terms import DataUseTerms
from shotline.providers.types import CostModel, ModelInfo, ProviderInfo

CALLS = []


class Plugin:
    info = ProviderInfo(name="{name}", title="Third party", models=(
        ModelInfo("m1", frozenset({{"text"}}), CostModel(per_call=0.01), DataUseTerms()),))

    def connect(self, config):
        CALLS.append(config)
        return object()


PLUGIN = Plugin()
"""


def pyproject_entry_points() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    points: dict[str, str] = data["project"]["entry-points"][GROUP]
    return points


def test_the_builtins_are_found() -> None:
    plugins, broken = discover()
    assert plugins["previs"] is PREVIS
    assert plugins["espeak"] is ESPEAK
    assert plugins["hashing"] is HASHING
    assert not [b for b in broken if b.name in ("previs", "espeak", "hashing")]


def test_every_entry_point_in_pyproject_loads() -> None:
    plugins, broken = discover()
    declared = pyproject_entry_points()
    assert {"previs", "espeak", "hashing"} <= set(declared)
    assert [b for b in broken if b.name in declared] == []
    for name in declared:
        assert name in plugins, name
        info = plugins[name].info
        assert isinstance(info, ProviderInfo) and info.name == name and info.models
        assert callable(plugins[name].connect)


def test_a_third_party_plugin_is_found(tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    assert "acme" not in discover()[0]
    install(tmp_path, monkeypatch, "acme-provider",
            {"acme_provider": GOOD_MODULE.format(name="acme")},
            {"acme": "acme_provider:PLUGIN"})
    plugins, broken = discover()
    assert broken == []
    acme = plugins["acme"]
    assert type(acme).__module__ == "acme_provider"
    assert acme.info.title == "Third party" and acme.info.models[0].name == "m1"
    assert {"previs", "espeak", "hashing", "acme"} <= set(plugins)
    assert find("acme") is acme
    import acme_provider  # type: ignore[import-not-found]

    assert acme_provider.CALLS == []  # discovery connects nothing


def test_a_plugin_class_is_instantiated(tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    install(tmp_path, monkeypatch, "acme-provider",
            {"acme_provider": GOOD_MODULE.format(name="acme")},
            {"acme": "acme_provider:Plugin"})
    plugins, broken = discover()
    assert broken == [] and type(plugins["acme"]).__name__ == "Plugin"


def test_the_shared_test_plugin_installs(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    install_acme(tmp_path, monkeypatch)
    plugins, broken = discover()
    assert plugins["acme"] is ACME and "wild" in plugins and broken == []


BROKEN_MODULES = {
    "raises": ('raise RuntimeError("the vendor SDK is missing")\n', "RuntimeError",
               "the vendor SDK is missing"),
    "misnamed": (GOOD_MODULE.format(name="someone-else"), "TypeError", "'someone-else'"),
    "nomodels": (GOOD_MODULE.format(name="nomodels").replace(
        'ModelInfo("m1", frozenset({"text"}), CostModel(per_call=0.01), DataUseTerms()),', ""),
                 "TypeError", "no models"),
    "noinfo": ("class Plugin:\n    def connect(self, config):\n        return None\n"
               "PLUGIN = Plugin()\n", "TypeError", "info"),
    "noconnect": (GOOD_MODULE.format(name="noconnect").replace("def connect", "def link"),
                  "TypeError", "connect"),
    "badinfo": ('class Plugin:\n    info = {"name": "badinfo"}\n'
                "    def connect(self, config):\n        return None\n"
                "PLUGIN = Plugin()\n", "TypeError", "ProviderInfo"),
}


@pytest.mark.parametrize("name", list(BROKEN_MODULES))
def test_a_broken_plugin_is_listed_and_stops_nothing(
        name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source, kind, words = BROKEN_MODULES[name]
    module = f"broken_{name}"
    install(tmp_path, monkeypatch, f"broken-{name}",
            {module: source, "acme_provider": GOOD_MODULE.format(name="acme")},
            {name: f"{module}:PLUGIN", "acme": "acme_provider:PLUGIN"})
    plugins, broken = discover()
    assert name not in plugins
    assert {"previs", "espeak", "hashing", "acme"} <= set(plugins)  # the others still load
    [entry] = [b for b in broken if b.name == name]
    assert entry == Broken(name, f"{module}:PLUGIN", entry.reason)
    assert entry.reason.startswith(f"{kind}: ") and words in entry.reason
    with pytest.raises(InputError) as caught:
        find(name)
    assert "cannot be loaded" in str(caught.value) and words in str(caught.value)


def test_a_missing_target_is_broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install(tmp_path, monkeypatch, "ghost", {}, {"ghost": "ghost_provider_gone:PLUGIN"})
    plugins, broken = discover()
    assert "ghost" not in plugins
    [entry] = [b for b in broken if b.name == "ghost"]
    assert "ModuleNotFoundError" in entry.reason


def test_a_second_plugin_with_a_taken_name_is_broken(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    install(tmp_path, monkeypatch, "acme-previs",
            {"acme_previs": GOOD_MODULE.format(name="acme")},
            {"acme": "acme_previs:PLUGIN"})
    install(tmp_path / "second", monkeypatch, "other-acme",
            {"other_acme": GOOD_MODULE.format(name="acme")},
            {"acme": "other_acme:PLUGIN"})
    plugins, broken = discover()
    assert "acme" in plugins  # one of the two, the other listed, never merged
    [entry] = [b for b in broken if b.name == "acme"]
    assert entry.reason.startswith("a second plugin with this name (from ")
    assert {entry.target, f"{type(plugins['acme']).__module__}:PLUGIN"} == {
        "acme_previs:PLUGIN", "other_acme:PLUGIN"}


def test_a_third_party_cannot_take_a_builtin_name(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    install(tmp_path, monkeypatch, "fake-previs",
            {"fake_previs": GOOD_MODULE.format(name="previs")},
            {"previs": "fake_previs:PLUGIN"})
    plugins, broken = discover()
    assert plugins.get("previs", PREVIS) is PREVIS
    assert "fake_previs:PLUGIN" in [b.target for b in broken if b.name == "previs"]


def test_find_an_unknown_provider_lists_what_is_installed() -> None:
    with pytest.raises(InputError) as caught:
        find("nope")
    message = str(caught.value)
    assert "'nope'" in message
    for name in ("espeak", "hashing", "previs"):
        assert name in message
    assert find("previs") is PREVIS


@pytest.mark.parametrize(("ref", "expected"), [
    ("openai", ("openai", None)),
    ("openai:gpt-4o", ("openai", "gpt-4o")),
    ("openai:", ("openai", None)),
    ("bedrock:amazon.nova-canvas-v1:0", ("bedrock", "amazon.nova-canvas-v1:0")),
    ("ollama:llama3.1:8b", ("ollama", "llama3.1:8b")),
    ("openai-compatible:*", ("openai-compatible", "*")),
    ("comfyui:sdxl-depth-pose", ("comfyui", "sdxl-depth-pose")),
])
def test_split_ref(ref: str, expected: tuple[str, str | None]) -> None:
    assert split_ref(ref) == expected


@pytest.mark.parametrize("ref", ["", ":gpt-4o", ":"])
def test_split_ref_needs_a_provider(ref: str) -> None:
    with pytest.raises(InputError, match="PROVIDER"):
        split_ref(ref)
