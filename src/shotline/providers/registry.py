"""Finding providers: every plugin, the built-ins too, is an entry point in the group
`shotline.providers` naming an object with `info` and `connect`."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import cast

from shotline.errors import InputError
from shotline.providers.protocols import ProviderPlugin
from shotline.providers.types import ProviderInfo

GROUP = "shotline.providers"


@dataclass(frozen=True)
class Broken:
    """A plugin that is installed but cannot be loaded; listed, never used."""

    name: str
    target: str
    reason: str


def _distribution(point: EntryPoint) -> str:
    dist = getattr(point, "dist", None)
    return str(dist.name).lower() if dist is not None else ""


def _load(point: EntryPoint) -> ProviderPlugin:
    found = point.load()
    plugin = found() if isinstance(found, type) else found
    info = getattr(plugin, "info", None)
    if not isinstance(info, ProviderInfo) or not callable(getattr(plugin, "connect", None)):
        raise TypeError("it has no `info: ProviderInfo` and `connect(config)`")
    if info.name != point.name:
        raise TypeError(f"it calls itself {info.name!r}")
    if not info.models:
        raise TypeError("it declares no models")
    return cast(ProviderPlugin, plugin)


def discover() -> tuple[dict[str, ProviderPlugin], list[Broken]]:
    """Every installed provider by name, and those that failed to load."""
    plugins: dict[str, ProviderPlugin] = {}
    broken: list[Broken] = []
    # Shotline's own plugins first: another package may not take a built-in's name.
    points = sorted(entry_points(group=GROUP),
                    key=lambda p: (p.name, _distribution(p) != "shotline"))
    for point in points:
        if point.name in plugins:
            broken.append(Broken(point.name, point.value, "a second plugin with this name "
                                 f"(from {_distribution(point) or 'an unknown package'})"))
            continue
        try:
            plugins[point.name] = _load(point)
        except Exception as exc:  # a third party's bug must not stop the others
            broken.append(Broken(point.name, point.value, f"{type(exc).__name__}: {exc}"))
    return plugins, broken


def entry_point_distributions() -> dict[str, str]:
    """Provider name -> the package that installs it (the first, as discover() keeps)."""
    found: dict[str, str] = {}
    for point in sorted(entry_points(group=GROUP),
                        key=lambda p: (p.name, _distribution(p) != "shotline")):
        found.setdefault(point.name, _distribution(point))
    return found


def find(name: str) -> ProviderPlugin:
    plugins, broken = discover()
    if name in plugins:
        return plugins[name]
    for b in broken:
        if b.name == name:
            raise InputError(f"provider {name} is installed but cannot be loaded: {b.reason}")
    raise InputError(f"no provider {name!r}; installed: {', '.join(sorted(plugins)) or 'none'} "
                     "(see `shotline providers`)")


def split_ref(ref: str) -> tuple[str, str | None]:
    """"openai:gpt-4o" -> ("openai", "gpt-4o"); model names may hold colons
    ("amazon.nova-canvas-v1:0"), provider names never do."""
    name, _, model = ref.partition(":")
    if not name:
        raise InputError(f"expected PROVIDER or PROVIDER:MODEL, got {ref!r}")
    return name, model or None
