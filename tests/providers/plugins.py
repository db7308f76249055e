"""Third-party provider plugins for the registry and routing tests: a distribution written
into a temporary folder (its module and its .dist-info with entry points), put on
sys.path as pip would install it, and an `acme` plugin that records every connect."""

from __future__ import annotations

import importlib
import sys
import textwrap
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from shotline.governance.terms import DataUseTerms
from shotline.providers.protocols import ProviderConfig
from shotline.providers.types import (
    EMBEDDING,
    IMAGE,
    IMAGE_EDIT,
    TEXT,
    TEXT_STRUCTURED,
    CostModel,
    ModelInfo,
    ProviderInfo,
)

VERIFIED = date(2026, 5, 1)
ON = date(2026, 6, 1)  # the day routing tests resolve on: VERIFIED is a month old
GOOD_TERMS = DataUseTerms(
    trains_on_inputs=False, trains_on_outputs=False, retention_days=0,
    zero_data_retention=True, human_review=False, regions=("eu-west-1",),
    evidence_url="https://acme.example/dpa", verified_at=VERIFIED)
TRAINING_TERMS = DataUseTerms(
    trains_on_inputs=True, trains_on_outputs=False, retention_days=0,
    zero_data_retention=True, human_review=False, regions=("eu-west-1",),
    evidence_url="https://acme.example/free-tier", verified_at=VERIFIED)
UNKNOWN_TERMS = DataUseTerms(regions=("eu-west-1",))
CREDENTIALS = ("ACME_API_KEY", "ACME_ORG")

ACME_INFO = ProviderInfo(
    name="acme", title="Acme AI (test plugin)", credentials=CREDENTIALS,
    default_endpoint="https://api.acme.example/v1",
    models=(
        ModelInfo("acme-text", frozenset({TEXT, TEXT_STRUCTURED}),
                  CostModel(per_1k_input_tokens=0.001, per_1k_output_tokens=0.002),
                  GOOD_TERMS),
        ModelInfo("acme-image", frozenset({IMAGE, IMAGE_EDIT}), CostModel(per_image=0.04),
                  GOOD_TERMS),
        ModelInfo("acme-free", frozenset({TEXT}), CostModel(), TRAINING_TERMS),
        ModelInfo("acme-mystery", frozenset({TEXT, EMBEDDING}), CostModel(), UNKNOWN_TERMS),
    ))

WILD_INFO = ProviderInfo(
    name="wild", title="Any model a server holds (test plugin)", where="local",
    default_endpoint="http://127.0.0.1:9/v1",
    models=(ModelInfo("*", frozenset({TEXT}), CostModel(), GOOD_TERMS),))

# Every config a test plugin was connected with, in order.
CONNECTED: list[ProviderConfig] = []


@dataclass(frozen=True)
class Connection:
    config: ProviderConfig


class RecordingPlugin:
    """A plugin that declares `info` and records that it was connected."""

    def __init__(self, info: ProviderInfo) -> None:
        self.info = info

    def connect(self, config: ProviderConfig) -> object:
        CONNECTED.append(config)
        return Connection(config)


class LocalServerPlugin(RecordingPlugin):
    """A plugin for a server the production runs: its promise holds on this host only."""

    def terms_for(self, config: ProviderConfig, terms: DataUseTerms) -> DataUseTerms:
        host = urlsplit(config.endpoint).hostname or ""
        return terms if host in ("127.0.0.1", "localhost") else replace(terms, regions=None)


ACME = RecordingPlugin(ACME_INFO)
WILD = LocalServerPlugin(WILD_INFO)


def install(folder: Path, monkeypatch: pytest.MonkeyPatch, dist: str,
            modules: dict[str, str], entry_points: dict[str, str],
            group: str = "shotline.providers") -> None:
    """Install a distribution into `folder` as pip would lay it out (a module and a
    .dist-info beside it) and put the folder on sys.path for this test only."""
    folder.mkdir(parents=True, exist_ok=True)
    for module, source in modules.items():
        (folder / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        # Imported during the test, forgotten after it.
        monkeypatch.setitem(sys.modules, module, None)
        del sys.modules[module]
    info = folder / f"{dist.replace('-', '_')}-1.0.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n",
                                   encoding="utf-8")
    lines = "".join(f"{name} = {target}\n" for name, target in entry_points.items())
    (info / "entry_points.txt").write_text(f"[{group}]\n{lines}", encoding="utf-8")
    monkeypatch.syspath_prepend(str(folder))
    importlib.invalidate_caches()


def install_acme(folder: Path, monkeypatch: pytest.MonkeyPatch, **more: Any) -> None:
    """The recording `acme` and `wild` plugins, as one third-party distribution."""
    install(folder, monkeypatch, "acme-provider",
            {"acme_provider": "from tests.providers.plugins import ACME, WILD\n"},
            {"acme": "acme_provider:ACME", "wild": "acme_provider:WILD", **more})
