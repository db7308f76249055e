"""Choosing a provider for a piece of work: the model must exist and be able to do it,
and the project's policy must allow its data-use terms. Every check runs before the
plugin's `connect`, so a refused provider never gets a connection, let alone a byte.

The project's settings may say more about a provider:

    [providers.ollama]                  # a second name for a plugin
    plugin = "openai-compatible"
    endpoint = "http://127.0.0.1:11434/v1"
    models = ["llama3.1:8b"]
    [providers.ollama.terms]            # the production's own reading of the terms
    trains_on_inputs = false
    ...
    evidence_url = "https://wiki.example/ollama-box"
    verified_at = 2026-11-01
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from shotline.errors import InputError
from shotline.governance.policy import require_allowed
from shotline.governance.terms import DataUseTerms
from shotline.providers.protocols import ProviderConfig, ProviderPlugin
from shotline.providers.registry import find, split_ref
from shotline.providers.types import ModelInfo
from shotline.store.settings import SETTINGS_FILE, Settings

ANY_MODEL = "*"  # a plugin model entry that stands for whatever the server holds
_CONFIG_KEYS = {"plugin", "endpoint", "region", "timeout_s", "retries", "backoff_s", "poll_s",
                "terms", "models", "default"}


@dataclass(frozen=True)
class Route:
    name: str  # as the project calls it
    plugin: ProviderPlugin
    model: ModelInfo
    terms: DataUseTerms  # the plugin's, with the project's declaration laid over them
    config: ProviderConfig

    @property
    def ref(self) -> str:
        return f"{self.name}:{self.model.name}"


def today() -> date:
    return datetime.now(UTC).date()


def provider_table(settings: Settings, name: str) -> dict[str, Any]:
    table = settings.providers.get(name, {})
    if not isinstance(table, dict):
        raise InputError(f"[providers.{name}] must be a table", source=SETTINGS_FILE)
    return table


def models_of(plugin: ProviderPlugin, config: ProviderConfig) -> tuple[ModelInfo, ...]:
    """The plugin's models; a plugin whose models depend on its configuration (a
    ComfyUI with the production's own workflows) says so through `models_for`."""
    extend = getattr(plugin, "models_for", None)
    if callable(extend):
        found = extend(config)
        if isinstance(found, tuple) and all(isinstance(m, ModelInfo) for m in found):
            return found
    return plugin.info.models


def _model(plugin: ProviderPlugin, name: str, wanted: str | None,
           table: dict[str, Any], capabilities: tuple[str, ...],
           models: tuple[ModelInfo, ...]) -> ModelInfo:
    model: ModelInfo | None
    if wanted is None:  # the first model that can do the work
        model = next((m for m in models if any(c in m.capabilities for c in capabilities)),
                     models[0])
    else:
        model = next((m for m in models if m.name == wanted), None)
    if model is not None and model.name != ANY_MODEL:
        return model
    wildcard = next((m for m in models if m.name == ANY_MODEL), None)
    if wildcard is not None:
        listed = table.get("models") or [None]
        if not isinstance(listed, list):
            raise InputError(f"providers.{name}.models must be a list of model names, got "
                             f"{listed!r}", source=SETTINGS_FILE)
        chosen = wanted or listed[0]
        if not chosen:
            raise InputError(f"provider {name} needs a model name ({name}:MODEL), or "
                             f"models = [...] in [providers.{name}]", source=SETTINGS_FILE)
        return ModelInfo(str(chosen), wildcard.capabilities, wildcard.cost, wildcard.terms,
                         wildcard.sizes, wildcard.max_references, wildcard.description)
    names = ", ".join(m.name for m in models)
    raise InputError(f"provider {name} has no model {wanted!r}; it has {names}")


def declared_terms(name: str, terms: DataUseTerms,
                   table: dict[str, Any]) -> DataUseTerms:
    """The terms with the project's own declaration, if any, laid over them."""
    declared = table.get("terms")
    if declared is None:
        return terms
    if not isinstance(declared, dict):
        raise InputError(f"[providers.{name}.terms] must be a table", source=SETTINGS_FILE)
    # A production's own reading of the terms must say where it comes from and when.
    for key in ("evidence_url", "verified_at"):
        if key not in declared:
            raise InputError(f"[providers.{name}.terms] must give {key} for the terms it "
                             "declares", source=SETTINGS_FILE)
    return terms.updated(declared, f"{SETTINGS_FILE} [providers.{name}.terms]")


def make_config(name: str, plugin: ProviderPlugin, table: dict[str, Any],
                environ: Mapping[str, str]) -> ProviderConfig:
    info = plugin.info
    numbers: dict[str, float] = {}
    for key, default in (("timeout_s", 60.0), ("retries", 4), ("backoff_s", 0.5),
                         ("poll_s", 2.0)):
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise InputError(f"providers.{name}.{key} must be a number >= 0, got {value!r}",
                             source=SETTINGS_FILE)
        numbers[key] = value
    options = {k: v for k, v in table.items() if k not in _CONFIG_KEYS}
    if "models" in table:
        options["models"] = table["models"]
    return ProviderConfig(
        name=name,
        endpoint=str(table.get("endpoint") or info.default_endpoint),
        secrets={env: environ[env] for env in info.credentials if environ.get(env)},
        timeout_s=float(numbers["timeout_s"]), retries=int(numbers["retries"]),
        backoff_s=float(numbers["backoff_s"]), poll_s=float(numbers["poll_s"]),
        region=str(table.get("region", "")), options=options)


def endpoint_terms(plugin: ProviderPlugin, config: ProviderConfig,
                   terms: DataUseTerms) -> DataUseTerms:
    """A plugin may know that its terms hold only for some endpoints (a local server's
    promise holds on this host, not on someone else's)."""
    adjust = getattr(plugin, "terms_for", None)
    if callable(adjust):
        adjusted = adjust(config, terms)
        if isinstance(adjusted, DataUseTerms):
            return adjusted
    return terms


def _check_endpoint(name: str, plugin: ProviderPlugin, config: ProviderConfig) -> None:
    """A vendor's credentials and the project's material go over https, or to this host:
    a settings file from elsewhere must not send them in the clear to another machine."""
    if plugin.info.where != "remote" or not config.endpoint:
        return
    parts = urlsplit(config.endpoint)
    local = (parts.hostname or "") in ("localhost", "127.0.0.1", "::1")
    if parts.scheme != "https" and not local:
        raise InputError(f"providers.{name}.endpoint must be an https URL (or this host), "
                         f"got {config.endpoint!r}", source=SETTINGS_FILE)


def resolve(settings: Settings, ref: str, capability: str | tuple[str, ...], *,
            on: date | None = None, environ: Mapping[str, str] | None = None) -> Route:
    """The route for `PROVIDER[:MODEL]` doing `capability` (or any of several: without a
    model name, the first model that can do one of them), or an error naming what is
    missing or which policy rule refuses it. Nothing is connected here."""
    name, wanted = split_ref(ref)
    table = provider_table(settings, name)
    plugin = find(str(table.get("plugin", name)))
    if wanted is None and isinstance(table.get("default"), str):
        wanted = table["default"]
    config = make_config(name, plugin, table, os.environ if environ is None else environ)
    _check_endpoint(name, plugin, config)
    wanted_caps = (capability,) if isinstance(capability, str) else capability
    model = _model(plugin, name, wanted, table, wanted_caps, models_of(plugin, config))
    if not any(c in model.capabilities for c in wanted_caps):
        raise InputError(f"{name}:{model.name} cannot do {' or '.join(wanted_caps)}; it can "
                         f"do {', '.join(sorted(model.capabilities))}")
    terms = declared_terms(name, endpoint_terms(plugin, config, model.terms), table)
    require_allowed(f"{name}:{model.name}", terms, settings.policy, on or today())
    return Route(name, plugin, model, terms, config)


def connect(route: Route) -> object:
    return route.plugin.connect(route.config)
