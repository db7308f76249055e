"""The cast and consent ledger, and the rules that decide whether a performer's likeness
may be used. A likeness is used only under a written, specific, current consent for this
project and this use; anything the ledger cannot show is a refusal, and each refusal names
the rule it broke.

The rules are a pure function over frozen facts (`check_consent`), so they can be tested as
a table; the ledger functions read and write the project's database and call it.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from shotline.errors import InputError
from shotline.governance import audit
from shotline.store.project import Project, current_user, now
from shotline.store.schema import CharacterRecord, ConsentRecord, Performer, TakeRecord

USES = ("face", "voice", "body")
REPLICAS = ("employment-based", "independently-created", "synthetic")
GRANTORS = ("performer", "estate", "guardian")

ALLOWED = "allowed"
# The order a single record is checked in. Across several records the failure reported is
# the one that got furthest down this list: the record closest to holding is the one a
# person will want to fix (a revoked face consent says more than a voice-only one).
RULES = (
    "no-consent",
    "other-project",
    "use-not-covered",
    "vague-scope",
    "grantor-missing",
    "deceased-needs-estate",
    "minor-needs-guardian",
    "grantor-mismatch",
    "revoked",
    "expired",
    "not-yet-valid",
)
_RANK = {rule: k for k, rule in enumerate(RULES)}

# Phrases that grant everything and so describe nothing (compared word by word).
BLANKET_PHRASES = (
    "any use", "any uses", "all use", "all uses", "every use", "any purpose",
    "any purposes", "all purposes", "any reason", "all media", "any media", "any medium",
    "every medium", "any and all", "in perpetuity for any", "unlimited", "unrestricted",
    "whatever", "whatsoever", "without limitation", "without restriction", "any project",
    "any projects", "all projects", "any production", "any productions", "any work",
    "any works", "all works", "now known or hereafter", "hereafter devised", "sees fit",
    "sole discretion",
)
MIN_WORDS = 8
# What is depicted: the part of the person, or the role they are seen in.
_DEPICTION = frozenset({
    "face", "faces", "facial", "likeness", "likenesses", "voice", "voices", "vocal", "body",
    "bodies", "image", "images", "appearance", "appearances", "portrait", "portrayal", "portray",
    "portrays", "portraying", "portrayed", "depict", "depicts", "depicted", "depicting",
    "depiction", "shown", "showing", "appears", "appearing", "character", "characters", "role",
    "double", "replica", "performance", "plays", "playing", "played", "speaking", "speaks",
    "dialogue", "singing", "sings", "silhouette", "profile", "closeup",
})
# Where in the work: scenes, shots and the pieces of a release a likeness may appear in.
_CONTEXT = frozenset({
    "scene", "scenes", "shot", "shots", "sequence", "sequences", "episode", "episodes", "film",
    "films", "feature", "movie", "trailer", "trailers", "teaser", "teasers", "poster", "posters",
    "series", "season", "reel", "montage", "previs", "storyboard", "storyboards", "animatic",
    "commercial", "advertisement", "promo", "promotional", "marketing", "flashback", "credits",
    "int", "ext", "pilot", "documentary", "cutscene", "page", "pages",
})
_WORD = re.compile(r"[^\W_]+")


def _words(text: str) -> list[str]:
    """Lower-case words without punctuation: "Any-USE," reads as ["any", "use"]."""
    return _WORD.findall(text.casefold())


def scope_problem(description: str) -> str | None:
    """Why a description of the intended use is not specific enough, or None if it is.

    Guild agreements ask for a reasonably specific description of the intended use; here
    that means no blanket phrase, at least MIN_WORDS words, and saying both what is
    depicted (face, voice, the character) and where (which scenes, shots, the trailer).
    """
    words = _words(description)
    if not words:
        return "the description of the intended use is empty"
    padded = f" {' '.join(words)} "
    for phrase in BLANKET_PHRASES:
        if f" {phrase} " in padded:
            return f"blanket phrase {phrase!r}: describe the specific use instead"
    if len(words) < MIN_WORDS:
        return (f"too short ({len(words)} words): describe the intended use in at least "
                f"{MIN_WORDS}")
    if not _DEPICTION.intersection(words):
        return ("does not say what is depicted (the face, voice or body, as which "
                "character)")
    if not _CONTEXT.intersection(words):
        return "does not say where it is used (which scenes or shots, a trailer, a poster)"
    return None


@dataclass(frozen=True)
class PerformerFacts:
    name: str
    deceased: bool = False
    minor: bool = False
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConsentFacts:
    """What the rules need of one consent record."""

    project: str
    uses: frozenset[str]
    description: str
    valid_from: datetime
    valid_until: datetime | None  # the first moment it no longer holds; None: no end
    granted_by: str
    grantor_name: str
    replica: str = "employment-based"
    revoked_at: datetime | None = None
    revoke_reason: str | None = None
    id: int | None = None


@dataclass(frozen=True)
class ConsentDecision:
    allowed: bool
    rule: str  # ALLOWED, or one of RULES
    detail: str
    record_id: int | None  # the record that holds, or the one the refusal is about

    def __str__(self) -> str:
        return f"{self.rule}: {self.detail}"


def _utc(value: datetime) -> datetime:
    """Naive UTC, as the database keeps it."""
    return value if value.tzinfo is None else value.astimezone(UTC).replace(tzinfo=None)


def _when(value: datetime) -> str:
    value = _utc(value)
    if value == value.replace(hour=0, minute=0, second=0, microsecond=0):
        return value.date().isoformat()
    return value.isoformat(sep=" ", timespec="minutes")


def _label(record: ConsentFacts) -> str:
    return f"consent {record.id}" if record.id is not None else "the consent"


def _record_problem(performer: PerformerFacts, record: ConsentFacts, project: str | None,
                    use: str | None, at: datetime) -> tuple[str, str] | None:
    """The first rule this record breaks, in RULES order; None if it holds. A project or
    use of None is not checked (the ledger's status of a record)."""
    label = _label(record)
    if project is not None and record.project != project:
        return "other-project", f"{label} is for project {record.project!r}, not {project!r}"
    if use is not None and use not in record.uses:
        covered = ", ".join(u for u in USES if u in record.uses) or "nothing"
        return "use-not-covered", f"{label} covers {covered}, not {use}"
    vague = scope_problem(record.description)
    if vague is not None:
        return "vague-scope", f"{label}: {vague}"
    if not record.grantor_name.strip():
        return "grantor-missing", f"{label} does not name who granted it"
    if performer.deceased:
        if record.granted_by != "estate":
            return ("deceased-needs-estate", f"{performer.name} is deceased: {label} was "
                    f"granted by the {record.granted_by}, not the estate")
    elif performer.minor:
        if record.granted_by != "guardian":
            return ("minor-needs-guardian", f"{performer.name} is a minor: {label} was "
                    f"granted by the {record.granted_by}, not a guardian")
    elif record.granted_by != "performer":
        return ("grantor-mismatch", f"{performer.name} is a living adult: {label} was "
                f"granted by the {record.granted_by}, not by them")
    if record.revoked_at is not None and _utc(record.revoked_at) <= at:
        why = f": {record.revoke_reason}" if record.revoke_reason else ""
        return "revoked", f"{label} was revoked on {_when(record.revoked_at)}{why}"
    if record.valid_until is not None and _utc(record.valid_until) <= at:
        return "expired", f"{label} expired on {_when(record.valid_until)}"
    if at < _utc(record.valid_from):
        return "not-yet-valid", f"{label} holds from {_when(record.valid_from)}"
    return None


def check_consent(performer: PerformerFacts, records: Sequence[ConsentFacts], project: str,
                  use: str, at: datetime) -> ConsentDecision:
    """May `use` of this performer's likeness be made in `project` at `at`?

    `records` are the performer's consent records. Allowed when any one of them holds;
    of several that hold, the one that holds longest is named (a take made under it is
    quarantined last). Otherwise the refusal is the failure of the record that came
    closest to holding (furthest down RULES), the newest record on a tie.
    """
    if use not in USES:
        raise InputError(f"unknown use {use!r}; expected one of {', '.join(USES)}")
    at = _utc(at)
    if not records:
        return ConsentDecision(False, "no-consent",
                               f"no consent on file for {performer.name}", None)
    holding: list[tuple[int, ConsentFacts]] = []
    failures: list[tuple[tuple[int, int, int], str, str, int | None]] = []
    for position, record in enumerate(records):
        problem = _record_problem(performer, record, project, use, at)
        if problem is None:
            holding.append((position, record))
        else:
            rule, detail = problem
            newest = record.id if record.id is not None else -1
            failures.append(((_RANK[rule], newest, position), rule, detail, record.id))
    if holding:
        def lasting(item: tuple[int, ConsentFacts]) -> tuple[datetime, int, int]:
            position, record = item
            until = _utc(record.valid_until) if record.valid_until else datetime.max
            return until, record.id if record.id is not None else -1, position

        best = max(holding, key=lasting)[1]
        until = f"until {_when(best.valid_until)}" if best.valid_until else "with no end date"
        return ConsentDecision(True, ALLOWED, f"{_label(best)} covers the {use} of "
                               f"{performer.name} {until}", best.id)
    _, rule, detail, record_id = max(failures, key=lambda f: f[0])
    return ConsentDecision(False, rule, detail, record_id)


# --- the ledger --------------------------------------------------------------------------


@dataclass(frozen=True)
class PerformerEntry:
    id: int
    facts: PerformerFacts
    characters: tuple[str, ...]  # the characters they play
    consents: int

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.facts.name, "aliases": list(self.facts.aliases),
                "deceased": self.facts.deceased, "minor": self.facts.minor,
                "characters": list(self.characters), "consents": self.consents}


@dataclass(frozen=True)
class ConsentEntry:
    id: int
    performer: str
    facts: ConsentFacts
    document_hash: str
    represented: bool
    compensation_ref: str
    created_at: datetime
    status: str  # at the time asked: valid, expired, revoked, not yet valid, ...

    def to_dict(self) -> dict[str, Any]:
        f = self.facts
        return {"id": self.id, "performer": self.performer, "project": f.project,
                "uses": [u for u in USES if u in f.uses], "replica": f.replica,
                "description": f.description, "valid_from": f.valid_from.isoformat(),
                "valid_until": f.valid_until.isoformat() if f.valid_until else None,
                "granted_by": f.granted_by, "grantor_name": f.grantor_name,
                "document_hash": self.document_hash, "represented": self.represented,
                "compensation_ref": self.compensation_ref,
                "revoked_at": f.revoked_at.isoformat() if f.revoked_at else None,
                "revoke_reason": f.revoke_reason,
                "created_at": self.created_at.isoformat(timespec="seconds"),
                "status": self.status}


def _clean(text: str) -> str:
    return " ".join(text.split())


def _performer_facts(row: Performer) -> PerformerFacts:
    return PerformerFacts(row.name, bool(row.deceased), bool(row.minor), tuple(row.aliases))


def _consent_facts(row: ConsentRecord) -> ConsentFacts:
    return ConsentFacts(project=row.project, uses=frozenset(row.uses),
                        description=row.description, valid_from=row.valid_from,
                        valid_until=row.valid_until, granted_by=row.granted_by,
                        grantor_name=row.grantor_name, replica=row.replica,
                        revoked_at=row.revoked_at, revoke_reason=row.revoke_reason, id=row.id)


def _find_performer(s: Session, name: str) -> Performer | None:
    """By name, then by name or alias without regard to case or spacing."""
    name = _clean(name)
    exact = s.scalars(select(Performer).where(Performer.name == name)).first()
    if exact is not None:
        return exact
    key = name.casefold()
    for row in s.scalars(select(Performer).order_by(Performer.id)):
        if key in {n.casefold() for n in (row.name, *row.aliases)}:
            return row
    return None


def _records_of(s: Session, performer_id: int) -> list[ConsentFacts]:
    rows = s.scalars(select(ConsentRecord).where(ConsentRecord.performer_id == performer_id)
                     .order_by(ConsentRecord.id))
    return [_consent_facts(r) for r in rows]


def add_performer(project: Project, name: str, aliases: Iterable[str] | None = None,
                  deceased: bool | None = None, minor: bool | None = None) -> PerformerFacts:
    """Add a performer, or change the one with this name: what is given replaces what
    was there, and what is not (None) stays, so adding an alias never clears the flags
    that make an estate's or a guardian's consent necessary.

    A name or alias may belong to one performer only: the prompt check finds a performer
    by it, and an ambiguous one would gate the wrong person's consent.
    """
    name = _clean(name)
    if not name:
        raise InputError("a performer needs a name")
    names: list[str] = []
    for alias in map(_clean, aliases or ()):
        if alias and alias.casefold() != name.casefold() \
                and alias.casefold() not in {n.casefold() for n in names}:
            names.append(alias)
    with project.sessions.begin() as s:
        row = s.scalars(select(Performer).where(Performer.name == name)).first()
        wanted = {n.casefold() for n in (name, *names)}
        for other in s.scalars(select(Performer)):
            if other is row:
                continue
            clash = wanted & {n.casefold() for n in (other.name, *other.aliases)}
            if clash:
                raise InputError(f"{sorted(clash)[0]!r} already names performer {other.name}")
        if row is None:
            row = Performer(name=name, aliases=names, deceased=bool(deceased),
                            minor=bool(minor), created_at=now())
            s.add(row)
        else:
            if aliases is not None:
                row.aliases = names
            if deceased is not None:
                row.deceased = deceased
            if minor is not None:
                row.minor = minor
        audit.append(s, "consent", current_user(), name, {
            "change": "performer", "aliases": list(row.aliases),
            "deceased": bool(row.deceased), "minor": bool(row.minor)})
        facts = _performer_facts(row)
    audit.anchor(project)
    return facts


def list_performers(project: Project) -> list[PerformerEntry]:
    with project.sessions() as s:
        rows = list(s.scalars(select(Performer).order_by(Performer.name)))
        played: dict[int, list[str]] = {}
        for character in s.scalars(select(CharacterRecord).order_by(CharacterRecord.name)):
            if character.performer_id is not None:
                played.setdefault(character.performer_id, []).append(character.name)
        counts: dict[int, int] = {}
        for performer_id in s.scalars(select(ConsentRecord.performer_id)):
            counts[performer_id] = counts.get(performer_id, 0) + 1
        return [PerformerEntry(r.id, _performer_facts(r), tuple(played.get(r.id, ())),
                               counts.get(r.id, 0)) for r in rows]


def _refuse(rule: str, detail: str) -> InputError:
    return InputError(f"consent refused at entry ({rule}): {detail}")


def add_consent(project: Project, performer: str, uses: Sequence[str], replica: str,
                description: str, valid_from: datetime, valid_until: datetime | None,
                granted_by: str, grantor_name: str, document: Path,
                represented: bool = False, compensation_ref: str = "") -> ConsentEntry:
    """Record a signed consent. A record that could never hold is refused here, naming
    the rule, so the ledger only ever holds consents that were valid when given. The
    signed document is kept in the object store; its sha256 is the record's proof."""
    unknown = [u for u in uses if u not in USES]
    if unknown or not uses:
        raise _refuse("unknown-use", f"uses must be some of {', '.join(USES)}, got "
                      f"{', '.join(map(repr, uses)) or 'none'}")
    if replica not in REPLICAS:
        raise _refuse("unknown-replica", f"replica must be one of {', '.join(REPLICAS)}, "
                      f"got {replica!r}")
    if granted_by not in GRANTORS:
        raise _refuse("unknown-grantor", f"granted by must be one of {', '.join(GRANTORS)}, "
                      f"got {granted_by!r}")
    vague = scope_problem(description)
    if vague is not None:
        raise _refuse("vague-scope", vague)
    grantor_name = _clean(grantor_name)
    if not grantor_name:
        raise _refuse("grantor-missing", "name who signed the consent")
    if not _clean(compensation_ref):
        raise _refuse("compensation-missing", "give the reference of the agreed compensation")
    valid_from = _utc(valid_from)
    valid_until = _utc(valid_until) if valid_until is not None else None
    if valid_until is not None and valid_until <= valid_from:
        raise _refuse("invalid-period", f"it ends ({_when(valid_until)}) before it starts "
                      f"({_when(valid_from)})")
    try:
        data = document.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the signed document: {exc.strerror}",
                         source=str(document)) from None
    if not data:
        raise InputError("the signed document is empty", source=str(document))
    with project.sessions() as s:
        row = _find_performer(s, performer)
        if row is None:
            raise InputError(f"no performer {performer!r}; add them with "
                             "`shotline performer add`")
        facts = _performer_facts(row)
        performer_id = row.id
    record = ConsentFacts(project=project.settings.name, uses=frozenset(uses),
                          description=description.strip(), valid_from=valid_from,
                          valid_until=valid_until, granted_by=granted_by,
                          grantor_name=grantor_name, replica=replica)
    # the grantor rules, as the ledger knows the performer today
    problem = _record_problem(facts, record, None, None, valid_from)
    if problem is not None and problem[0] not in ("expired", "not-yet-valid", "revoked"):
        raise _refuse(*problem)
    # imported here: the engine's generation step is a caller of this module
    from shotline.engine.runner import store_blob
    from shotline.engine.steps import Blob

    media_type = mimetypes.guess_type(document.name)[0] or "application/octet-stream"
    digest = store_blob(project, Blob(data, media_type))
    created = now()
    with project.sessions.begin() as s:
        stored = ConsentRecord(
            performer_id=performer_id, project=record.project,
            uses=[u for u in USES if u in record.uses], replica=replica,
            description=record.description, valid_from=valid_from, valid_until=valid_until,
            granted_by=granted_by, grantor_name=grantor_name, document_hash=digest,
            represented=represented, compensation_ref=_clean(compensation_ref),
            revoked_at=None, revoke_reason=None, created_at=created)
        s.add(stored)
        s.flush()
        consent_id = stored.id
        audit.append(s, "consent", current_user(), facts.name, {
            "change": "granted", "consent": consent_id, "uses": stored.uses,
            "replica": replica, "description": record.description,
            "valid_from": valid_from.isoformat(),
            "valid_until": valid_until.isoformat() if valid_until else None,
            "granted_by": granted_by, "document": digest})
    audit.anchor(project)
    kept = replace(record, id=consent_id)
    return ConsentEntry(consent_id, facts.name, kept, digest, represented,
                        _clean(compensation_ref), created,
                        consent_status(facts, kept, record.project, now()))


def consent_status(performer: PerformerFacts, record: ConsentFacts, project: str,
                   at: datetime) -> str:
    """One record's standing at `at`, for listing: valid, revoked, expired, not yet valid,
    other project, or "invalid (rule)" for a record the performer's facts now break (one
    marked deceased since, say)."""
    problem = _record_problem(performer, record, project, None, _utc(at))
    if problem is None:
        return "valid"
    rule = problem[0]
    if rule in ("revoked", "expired"):
        return rule
    return {"not-yet-valid": "not yet valid",
            "other-project": "other project"}.get(rule, f"invalid ({rule})")


def revoke(project: Project, consent_id: int, reason: str, at: datetime) -> ConsentEntry:
    """Revoke a consent from `at` on. The record stays, with when and why: the takes made
    under it must be able to say what happened."""
    reason = _clean(reason)
    if not reason:
        raise InputError("say why the consent is revoked")
    with project.sessions.begin() as s:
        row = s.get(ConsentRecord, consent_id)
        if row is None:
            raise InputError(f"no consent {consent_id}")
        if row.revoked_at is not None:
            raise InputError(f"consent {consent_id} was already revoked on "
                             f"{_when(row.revoked_at)}")
        row.revoked_at = _utc(at)
        row.revoke_reason = reason
        performer = s.get(Performer, row.performer_id)
        assert performer is not None
        audit.append(s, "consent", current_user(), performer.name, {
            "change": "revoked", "consent": consent_id, "reason": reason})
        entry = _entry(row, performer, project.settings.name, _utc(at))
    audit.anchor(project)
    return entry


def _entry(row: ConsentRecord, performer: Performer, project: str,
           at: datetime) -> ConsentEntry:
    facts = _consent_facts(row)
    return ConsentEntry(row.id, performer.name, facts, row.document_hash,
                        bool(row.represented), row.compensation_ref, row.created_at,
                        consent_status(_performer_facts(performer), facts, project, at))


def list_consents(project: Project, at: datetime | None = None) -> list[ConsentEntry]:
    """Every consent record, oldest first, with its status at `at` (default: now)."""
    when = _utc(at) if at is not None else now()
    with project.sessions() as s:
        performers = {p.id: p for p in s.scalars(select(Performer))}
        return [_entry(r, performers[r.performer_id], project.settings.name, when)
                for r in s.scalars(select(ConsentRecord).order_by(ConsentRecord.id))]


def decide(project: Project, performer_name: str, use: str, at: datetime) -> ConsentDecision:
    """The rules applied to the ledger: a performer it does not know has no consent."""
    with project.sessions() as s:
        row = _find_performer(s, performer_name)
        if row is None:
            if use not in USES:
                raise InputError(f"unknown use {use!r}; expected one of {', '.join(USES)}")
            return ConsentDecision(False, "no-consent",
                                   f"{performer_name} is not in the cast ledger", None)
        performer = _performer_facts(row)
        records = _records_of(s, row.id)
    return check_consent(performer, records, project.settings.name, use, at)


# --- gating a generation -----------------------------------------------------------------


@dataclass(frozen=True)
class LikenessUse:
    character: str
    performer: str
    use: str
    why: str


def name_pattern(name: str) -> re.Pattern[str] | None:
    """A whole-word, case-insensitive match for a name ("Ana" is not in "Banana"); the
    spaces inside a name match any run of white space."""
    parts = name.split()
    if not parts:
        return None
    return re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, parts)) + r"(?!\w)",
                      re.IGNORECASE)


def likeness_uses(prompt: str, characters: Sequence[str],
                  performers_by_character: Mapping[str, PerformerFacts],
                  references_by_character: Mapping[str, int]) -> list[LikenessUse]:
    """Whose likeness a generation uses, and why. A performer's face is used when
    reference images of a character they play go to the model, or when the prompt names
    them (by name or alias, as whole words). Each performer and use is listed once, under
    the first character it was found through, with every reason."""
    found: dict[tuple[str, str], tuple[str, list[str]]] = {}

    def note(character: str, performer: PerformerFacts, why: str) -> None:
        key = (performer.name, "face")
        found.setdefault(key, (character, []))[1].append(why)

    for character in characters:
        performer = performers_by_character.get(character)
        count = references_by_character.get(character, 0)
        if performer is not None and count > 0:
            images, go = ("image", "goes") if count == 1 else ("images", "go")
            note(character, performer,
                 f"{count} reference {images} of {character} {go} to the model")
    # the prompt may name any performer, not only those of the characters in the shot
    ordered = [*characters, *(c for c in performers_by_character if c not in characters)]
    for character in ordered:
        performer = performers_by_character.get(character)
        if performer is None:
            continue
        for name in (performer.name, *performer.aliases):
            pattern = name_pattern(name)
            if pattern is not None and pattern.search(prompt):
                note(character, performer, f"the prompt names {name!r}")
                break
    return [LikenessUse(character, performer, use, "; ".join(whys))
            for (performer, use), (character, whys) in found.items()]


class Dependency(NamedTuple):
    """A take's use of a likeness, and the consent it was made under."""

    performer: str
    use: str
    consent_id: int


class ConsentRefusal(InputError):  # noqa: N818 (a refusal, like PolicyRefusal)
    """A generation that would use a likeness without consent; nothing was sent."""

    def __init__(self, use: LikenessUse, decision: ConsentDecision) -> None:
        self.use = use
        self.decision = decision
        super().__init__(f"no consent to use the {use.use} of {use.performer} (as "
                         f"{use.character}; {use.why}): {decision.rule}: {decision.detail}")


def require_consent(project: Project, uses: Sequence[LikenessUse],
                    at: datetime) -> list[Dependency]:
    """Refuse (ConsentRefusal) at the first likeness use without consent. On success the
    dependencies to keep with the take: which consent each use was made under, so that
    `quarantine` can find the take if that consent is revoked or runs out."""
    kept: list[Dependency] = []
    for use in uses:
        decision = decide(project, use.performer, use.use, at)
        if not decision.allowed:
            raise ConsentRefusal(use, decision)
        assert decision.record_id is not None
        kept.append(Dependency(use.performer, use.use, decision.record_id))
    return kept


# --- quarantine --------------------------------------------------------------------------

QUARANTINE_PREFIX = "consent "  # every reason this module writes starts so


@dataclass(frozen=True)
class QuarantineChange:
    take_id: int
    shot_id: str
    number: int
    action: str  # quarantined, lifted, covered (made under a lapsed consent, another holds)
    reason: str


def _lapse(dependency: Dependency, performer: PerformerFacts | None,
           records: Sequence[ConsentFacts], project: str, at: datetime) -> str:
    """Why the consent a take was made under no longer covers it."""
    head = (f"{QUARANTINE_PREFIX}{dependency.consent_id} for {dependency.performer} "
            f"({dependency.use})")
    made_under = [r for r in records if r.id == dependency.consent_id]
    if performer is None or not made_under:
        return f"{head} is not in the ledger"
    decision = check_consent(performer, made_under, project, dependency.use, at)
    record = made_under[0]
    if decision.rule == "revoked" and record.revoked_at is not None:
        why = f": {record.revoke_reason}" if record.revoke_reason else ""
        return f"{head} revoked on {_when(record.revoked_at)}{why}"
    if decision.rule == "expired" and record.valid_until is not None:
        return f"{head} expired on {_when(record.valid_until)}"
    return f"{head} no longer holds: {decision}"


def consent_verdict(dependencies: Sequence[tuple[str, str, int]],
                    performers: Mapping[str, PerformerFacts],
                    records: Mapping[str, Sequence[ConsentFacts]], project: str,
                    at: datetime) -> tuple[str | None, list[str]]:
    """A take's standing: the quarantine reason (None if every use is covered) and notes
    on uses whose own consent lapsed but another record now covers.

    Each use is re-decided against all the performer's records: a take stays usable while
    some valid consent covers every likeness in it, and is quarantined otherwise, with the
    reason of the consent it was made under.
    """
    problems: list[str] = []
    notes: list[str] = []
    for item in dependencies:
        dependency = Dependency(*item)
        performer = performers.get(dependency.performer)
        own = list(records.get(dependency.performer, ()))
        decision = (check_consent(performer, own, project, dependency.use, at)
                    if performer is not None else None)
        if decision is not None and decision.allowed:
            if decision.record_id != dependency.consent_id:
                lapse = _lapse(dependency, performer, own, project, at)
                notes.append(f"{lapse}; consent {decision.record_id} covers it now")
            continue
        problems.append(_lapse(dependency, performer, own, project, at))
    return ("; ".join(problems) if problems else None), notes


def quarantine(project: Project, at: datetime,
               dependencies: Mapping[int, Sequence[tuple[str, str, int]]]
               ) -> list[QuarantineChange]:
    """Re-decide the consent of every take that uses a likeness (`dependencies`: take id
    -> (performer, use, consent id) as `require_consent` returned them) and mark the
    takes that may no longer leave. Idempotent; what it did is returned:

    - quarantined: a use is no longer covered; `quarantined` holds why.
    - lifted: a take this module quarantined is covered again (a new consent was given).
    - covered: the consent it was made under lapsed, but another valid one covers it.

    A take quarantined for a reason of another kind is left alone: only the part of the
    pipeline that quarantined it may lift it. "covered" is reported on every call while
    it is so, though nothing in the take changes: nobody should be surprised by it.
    """
    at = _utc(at)
    name = project.settings.name
    changes: list[QuarantineChange] = []
    with project.sessions.begin() as s:
        performers: dict[str, PerformerFacts] = {}
        records: dict[str, list[ConsentFacts]] = {}
        for row in s.scalars(select(Performer)):
            performers[row.name] = _performer_facts(row)
            records[row.name] = _records_of(s, row.id)
        for take_id in sorted(dependencies):
            take = s.get(TakeRecord, take_id)
            if take is None:
                continue
            current = take.quarantined
            if current is not None and not current.startswith(QUARANTINE_PREFIX):
                continue
            reason, notes = consent_verdict(dependencies[take_id], performers, records,
                                            name, at)
            if reason is not None and reason != current:
                take.quarantined = reason
                changes.append(QuarantineChange(take.id, take.shot_id, take.number,
                                                "quarantined", reason))
                audit.append(s, "consent", "shotline", take.shot_id, {
                    "change": "quarantined", "take": take.number, "why": reason})
            elif reason is None and current is not None:
                take.quarantined = None
                audit.append(s, "consent", "shotline", take.shot_id, {
                    "change": "quarantine lifted", "take": take.number,
                    "why": "; ".join(notes) or "every use is covered"})
                changes.append(QuarantineChange(take.id, take.shot_id, take.number, "lifted",
                                                "; ".join(notes) or "every use is covered"))
            elif reason is None and notes:
                changes.append(QuarantineChange(take.id, take.shot_id, take.number,
                                                "covered", "; ".join(notes)))
    audit.anchor(project)
    return changes

