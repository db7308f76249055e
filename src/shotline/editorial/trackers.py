"""The plan as production trackers import it: shot lists, assets and casting in the
column layouts of Kitsu (CGWire) and ShotGrid (Autodesk Flow Production Tracking).

Every function is pure and returns CSV text (UTF-8 once encoded, comma separated, a
header row, ``\\n`` line ends), written with :func:`shotline.breakdown.tables.to_csv`.
See docs/trackers.md for the column mapping and how each tracker imports the files.

Conventions shared by both trackers:

- A scene is a *sequence*, named ``SC`` and the scene number with its leading digits
  padded to three: scene ``12`` is ``SC012``, ``12A`` is ``SC012A``, ``A1`` is ``SCA1``.
- A shot keeps its plan id (``12A``) as its name.
- Shots come in edit order: scene by scene, each scene's shots in the order they
  first appear in its edit; shots the edit does not use follow all of them, in plan
  order, with empty frame columns.
- A shot's frames are its frames in the cut: the sum over the scene's cuts of that
  shot of ``max(1, round(duration * fps))``, the animatic's rule. Each shot's cut
  range starts at ``start_frame`` (1001, the VFX convention), so its last frame is
  ``start_frame + frames - 1``.
- A cell that a spreadsheet would read as a formula (one that starts with ``=``,
  ``+``, ``-``, ``@``, a tab or a carriage return) is written with a ``'`` in front,
  and line breaks in a cell are written as ``\\n``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shotline.animatic.timecode import check_fps, frame_count
from shotline.breakdown.tables import safe_cell, to_csv
from shotline.model.breakdown import Breakdown, SceneBreakdown
from shotline.model.shots import ScenePlan, Shot, ShotPlan

KITSU_SHOT_COLUMNS: tuple[str, ...] = (
    "Sequence", "Name", "Description", "Nb Frames", "Frame In", "Frame Out", "FPS",
)
KITSU_ASSET_COLUMNS: tuple[str, ...] = ("Type", "Name", "Description")
KITSU_CASTING_COLUMNS: tuple[str, ...] = (
    "Parent", "Name", "Asset Type", "Asset", "Occurences", "Label",
)
KITSU_EPISODE_COLUMN = "Episode"  # first column of each Kitsu file for a TV show

SHOTGRID_SEQUENCE_COLUMNS: tuple[str, ...] = ("Sequence Code", "Description", "Project")
SHOTGRID_SHOT_COLUMNS: tuple[str, ...] = (
    "Shot Code", "Sequence", "Cut Order", "Description", "Status", "Head In", "Cut In",
    "Cut Out", "Tail Out", "Cut Duration", "Assets", "Project",
)
SHOTGRID_ASSET_COLUMNS: tuple[str, ...] = ("Asset Name", "Type", "Description", "Project")

START_FRAME = 1001
HANDLES = 8
SHOTGRID_IN_EDIT = "wtg"  # ShotGrid's default shot statuses: waiting to start ...
SHOTGRID_OMITTED = "omt"  # ... and omitted
NOT_IN_EDIT = "Not in the edit. "  # Kitsu has no shot status: the description says it

# Breakdown categories that are things to build, and the asset type each becomes.
# Wardrobe (part of a character's look) and stunts (actions) stay on the breakdown.
ASSET_TYPES: dict[str, str] = {
    "cast": "Character",
    "location": "Environment",
    "props": "Prop",
    "vehicles": "Vehicle",
    "animals": "Character",
    "special_effects": "FX",
    "visual_effects": "FX",
    "extras": "Character",
}
_LABELS: dict[str, str] = {
    "props": "Prop", "vehicles": "Vehicle", "animals": "Animal",
    "special_effects": "Special effect", "visual_effects": "Visual effect", "extras": "Extras",
}
_ELEMENT_CATEGORIES: tuple[str, ...] = tuple(_LABELS)

_LEADING_DIGITS = re.compile(r"(\d+)(.*)", re.DOTALL)


def cell_text(value: str) -> str:
    """A value as its cell holds it once written: :func:`to_csv` guards every cell
    against formulas and lone carriage returns (see ``safe_cell``)."""
    return str(safe_cell(value))


neutralise = cell_text  # the name links and names are compared by


def _csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    return to_csv(list(header), [list(row) for row in rows])


def sequence_name(scene: str) -> str:
    """The tracker sequence of a scene: ``12`` -> ``SC012``, ``12A`` -> ``SC012A``."""
    match = _LEADING_DIGITS.fullmatch(scene)
    if match is None:
        return "SC" + scene
    return f"SC{int(match[1]):03d}{match[2]}"


def shot_description(shot: Shot) -> str:
    """Size, lens and description: the description alone where it already opens with
    the size and names the lens (the planner's own wording), else both in front."""
    lens = f"{shot.lens_mm:g} mm"
    size = shot.size.value
    if shot.description.startswith(size + " ") and lens in shot.description:
        return shot.description
    return f"{size}, {lens}. {shot.description}"


# -- shots in edit order, with their frames ---------------------------------------------


@dataclass(frozen=True)
class _Placed:
    shot: Shot
    frames: int  # 0 for a shot the edit does not use
    order: int | None  # 1-based place in the whole edit (first appearance)


def _placed(plan: ShotPlan, fps: int) -> list[_Placed]:
    """Every shot in edit order, with its frames in the cut; unused shots last."""
    check_fps(fps)
    used: list[_Placed] = []
    unused: list[_Placed] = []
    for scene in plan.scenes:
        frames = _frames_in_cut(scene, fps)
        for shot in _edit_order(scene):
            if shot.id in frames:
                used.append(_Placed(shot, frames[shot.id], len(used) + 1))
            else:
                unused.append(_Placed(shot, 0, None))
    return used + unused


def _shots_in_order(plan: ShotPlan) -> list[Shot]:
    """Every shot in edit order, shots the edit does not use last (no frames needed)."""
    used: list[Shot] = []
    unused: list[Shot] = []
    for scene in plan.scenes:
        cut = {c.shot for c in scene.edit}
        for shot in _edit_order(scene):
            (used if shot.id in cut else unused).append(shot)
    return used + unused


def _frames_in_cut(scene: ScenePlan, fps: int) -> dict[str, int]:
    """Frames per shot over the scene's cuts, by the animatic's rule for each cut."""
    ids = {shot.id for shot in scene.shots}
    frames: dict[str, int] = {}
    for cut in scene.edit:
        if cut.shot in ids:
            frames[cut.shot] = frames.get(cut.shot, 0) + frame_count(cut.duration, fps)
    return frames


def _edit_order(scene: ScenePlan) -> list[Shot]:
    """The scene's shots by their first cut; those without one after, in plan order."""
    first: dict[str, int] = {}
    for k, cut in enumerate(scene.edit):
        first.setdefault(cut.shot, k)
    ranked = sorted(enumerate(scene.shots),
                    key=lambda item: (first.get(item[1].id, len(scene.edit)), item[0]))
    return [shot for _, shot in ranked]


def _check_frames(start_frame: int, handles: int = 0) -> None:
    for name, value in (("start_frame", start_frame), ("handles", handles)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} must be a whole number of frames, 0 or more, "
                             f"not {value!r}")
    if start_frame < handles:
        raise ValueError(f"start_frame {start_frame} leaves no room for {handles} frames "
                         "of handles before it")


def _check_episode(episode: str | None) -> list[str]:
    if episode is None:
        return []
    if not episode.strip():
        raise ValueError("an episode needs a name")
    return [episode]


# -- assets ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Asset:
    name: str
    type: str
    description: str


@dataclass(frozen=True)
class _Assets:
    """Every asset of the breakdown, and the assets each scene uses, by asset name."""

    assets: tuple[_Asset, ...]
    by_scene: dict[str, tuple[_Asset, ...]]


def asset_name(name: str) -> str:
    """A breakdown name as an asset's name: commas (ShotGrid splits a list of linked
    assets at commas) and runs of whitespace become single spaces."""
    return neutralise(" ".join(name.replace(",", " ").split()))


def _scene_list(numbers: Sequence[str]) -> str:
    return ", ".join(numbers) if numbers else "none"


def _collect_assets(breakdown: Breakdown) -> _Assets:
    registry: dict[str, _Asset] = {}  # casefolded name -> the first asset of that name

    def add(name: str, kind: str, description: str) -> None:
        clean = asset_name(name)
        if clean and clean.casefold() not in registry:
            registry[clean.casefold()] = _Asset(clean, ASSET_TYPES[kind], description)

    for member in breakdown.cast:
        add(member.name, "cast", f"Cast no. {member.id}; in scenes "
            f"{_scene_list(member.scenes)}; speaks in {_scene_list(member.speaking_scenes)}")
    for location in breakdown.locations:
        where = f"Location ({location.int_ext})" if location.int_ext else "Location"
        add(location.name, "location", f"{where}; in scenes {_scene_list(location.scenes)}")
    for category in _ELEMENT_CATEGORIES:
        scenes_of: dict[str, list[str]] = {}
        for scene in breakdown.scenes:
            for term in scene.elements.get(category, ()):
                scenes_of.setdefault(term, []).append(scene.number)
        for term, numbers in scenes_of.items():
            add(term, category, f"{_LABELS[category]}; in scenes {_scene_list(numbers)}")

    def used(scene: SceneBreakdown) -> tuple[_Asset, ...]:
        names = [*scene.characters, scene.location,
                 *(t for c in _ELEMENT_CATEGORIES for t in scene.elements.get(c, ()))]
        out: dict[str, _Asset] = {}
        for name in names:
            asset = registry.get(asset_name(name).casefold())
            if asset is not None:
                out.setdefault(asset.name, asset)
        return tuple(out.values())

    return _Assets(tuple(registry.values()),
                   {scene.number: used(scene) for scene in breakdown.scenes})


# -- Kitsu -----------------------------------------------------------------------------


def kitsu_shots(plan: ShotPlan, breakdown: Breakdown, fps: int, project: str,
                episode: str | None = None, *, start_frame: int = START_FRAME) -> str:
    """Kitsu's shot import: Sequence, Name, Description, Nb Frames, Frame In, Frame Out,
    FPS, with an Episode column first for a TV show (``episode``). A shot the edit
    does not use has no frames, and its description starts ``Not in the edit.``

    Kitsu imports into the production that is open, and casting is a file of its own
    (:func:`kitsu_casting`), so ``project`` and ``breakdown`` are not written here;
    they are taken so that every shot layout takes the same arguments."""
    del breakdown, project
    _check_frames(start_frame)
    lead = _check_episode(episode)
    rows: list[list[str]] = []
    for placed in _placed(plan, fps):
        shot = placed.shot
        if placed.frames:
            description = shot_description(shot)
            frames = [str(placed.frames), str(start_frame),
                      str(start_frame + placed.frames - 1)]
        else:
            description = NOT_IN_EDIT + shot_description(shot)
            frames = ["", "", ""]
        rows.append([*lead, sequence_name(shot.scene), shot.id, description, *frames,
                     str(fps)])
    header = [KITSU_EPISODE_COLUMN] * len(lead) + list(KITSU_SHOT_COLUMNS)
    return _csv(header, rows)


def kitsu_assets(breakdown: Breakdown, episode: str | None = None) -> str:
    """Kitsu's asset import: Type, Name, Description (an Episode column first for a TV
    show). Cast, sets and the breakdown's props, vehicles, animals, effects and extras."""
    lead = _check_episode(episode)
    rows = [[*lead, a.type, a.name, a.description] for a in _collect_assets(breakdown).assets]
    return _csv([KITSU_EPISODE_COLUMN] * len(lead) + list(KITSU_ASSET_COLUMNS), rows)


def kitsu_casting(plan: ShotPlan, breakdown: Breakdown, episode: str | None = None) -> str:
    """Kitsu's breakdown (casting) import: a row per shot and asset its scene uses.

    Parent is the shot's sequence and Name the shot; Occurences is 1; Label is
    ``animate`` for characters and ``fixed`` for the rest."""
    lead = _check_episode(episode)
    by_scene = _collect_assets(breakdown).by_scene
    rows: list[list[str]] = []
    for shot in _shots_in_order(plan):
        for asset in by_scene.get(shot.scene, ()):
            label = "animate" if asset.type == ASSET_TYPES["cast"] else "fixed"
            rows.append([*lead, sequence_name(shot.scene), shot.id, asset.type, asset.name,
                         "1", label])
    return _csv([KITSU_EPISODE_COLUMN] * len(lead) + list(KITSU_CASTING_COLUMNS), rows)


# -- ShotGrid --------------------------------------------------------------------------


def shotgrid_sequences(plan: ShotPlan, breakdown: Breakdown, project: str) -> str:
    """ShotGrid's Sequence import: Sequence Code, Description (the scene heading and its
    synopsis), Project. Import it before the shots, which link to sequences by code."""
    sheets = {scene.number: scene for scene in breakdown.scenes}
    rows: list[list[str]] = []
    for scene in plan.scenes:
        sheet = sheets.get(scene.scene)
        words = [sheet.heading, sheet.synopsis or ""] if sheet is not None else []
        rows.append([sequence_name(scene.scene), " / ".join(w for w in words if w), project])
    return _csv(SHOTGRID_SEQUENCE_COLUMNS, rows)


def shotgrid_shots(plan: ShotPlan, breakdown: Breakdown, fps: int, project: str, *,
                   start_frame: int = START_FRAME, handles: int = HANDLES) -> str:
    """ShotGrid's Shot import: Shot Code, Sequence, Cut Order, Description, Status, Head
    In, Cut In, Cut Out, Tail Out, Cut Duration, Assets, Project.

    Cut In is ``start_frame``; Head In and Tail Out are ``handles`` frames outside the
    cut. Assets lists, comma separated, every asset the shot's scene uses. A shot the
    edit does not use has no frames and the status ``omt``; the others ``wtg``."""
    _check_frames(start_frame, handles)
    by_scene = _collect_assets(breakdown).by_scene
    rows: list[list[str]] = []
    for placed in _placed(plan, fps):
        shot = placed.shot
        if placed.frames:
            cut_out = start_frame + placed.frames - 1
            timing = [str(placed.order), shot_description(shot), SHOTGRID_IN_EDIT,
                      str(start_frame - handles), str(start_frame), str(cut_out),
                      str(cut_out + handles), str(placed.frames)]
        else:
            timing = ["", shot_description(shot), SHOTGRID_OMITTED, "", "", "", "", ""]
        assets = ", ".join(a.name for a in by_scene.get(shot.scene, ()))
        rows.append([shot.id, sequence_name(shot.scene), *timing, assets, project])
    return _csv(SHOTGRID_SHOT_COLUMNS, rows)


def shotgrid_assets(breakdown: Breakdown, project: str) -> str:
    """ShotGrid's Asset import: Asset Name, Type, Description, Project."""
    rows = [[a.name, a.type, a.description, project] for a in _collect_assets(breakdown).assets]
    return _csv(SHOTGRID_ASSET_COLUMNS, rows)


# -- all of it -------------------------------------------------------------------------

TRACKER_FILES: tuple[str, ...] = (
    "kitsu-shots.csv", "kitsu-assets.csv", "kitsu-casting.csv",
    "shotgrid-sequences.csv", "shotgrid-shots.csv", "shotgrid-assets.csv",
)


def tracker_files(plan: ShotPlan, breakdown: Breakdown, fps: int, project: str, *,
                  episode: str | None = None, start_frame: int = START_FRAME,
                  handles: int = HANDLES) -> dict[str, str]:
    """Every tracker file by name (:data:`TRACKER_FILES`), as CSV text."""
    return {
        "kitsu-shots.csv": kitsu_shots(plan, breakdown, fps, project, episode,
                                       start_frame=start_frame),
        "kitsu-assets.csv": kitsu_assets(breakdown, episode),
        "kitsu-casting.csv": kitsu_casting(plan, breakdown, episode),
        "shotgrid-sequences.csv": shotgrid_sequences(plan, breakdown, project),
        "shotgrid-shots.csv": shotgrid_shots(plan, breakdown, fps, project,
                                             start_frame=start_frame, handles=handles),
        "shotgrid-assets.csv": shotgrid_assets(breakdown, project),
    }
