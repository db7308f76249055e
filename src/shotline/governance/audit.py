"""The audit log: every generation, provider call, export, review decision and consent
change appends an entry that holds the hash of the entry before it, so an edited, removed
or reordered entry breaks the chain, and `verify` says where.

The chain alone cannot show that its last entries were removed (what is left is still a
valid chain), so the head (seq and hash) is also written to `.shotline/audit-head`, the
anchor, after each append; `verify` compares the two. See docs/audit.md for the hashed form
and for what this can and cannot detect.
"""

from __future__ import annotations

import fcntl
import hashlib
import math
import random
import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

import orjson
from sqlalchemy import String, Text, cast, func, select, text, type_coerce
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from shotline.engine.keys import canonical_json
from shotline.files import write_atomic
from shotline.store.project import Project, now
from shotline.store.schema import AuditEntry

KINDS = (
    "generation",      # a take or asset was generated
    "provider-call",   # a request went to a model provider
    "export",          # something left the project (EDL, OTIO, animatic, ...)
    "approval",        # a review decision: approve, reject, lock, unlock
    "consent",         # a consent was recorded or revoked, a performer added
    "selection",       # a take was chosen for a shot
    "run",             # a pipeline run started or ended
    "conform",         # an edit was conformed back onto the plan
    "policy-refusal",  # the project's policy refused something
)
GENESIS = "0" * 64  # the prev_hash of entry 1
ANCHOR_FILE = "audit-head"
# What verify reports. "reordered" replaces "edited" for an entry whose hash holds at
# another entry's seq: its content is intact, it was moved.
PROBLEM_KINDS = ("edited", "reordered", "broken link", "gap", "bad genesis", "truncated",
                 "anchor mismatch", "bad anchor")

# Credentials must never reach the log: it is meant to be read and exported. A key is
# refused when its name contains one of these (in any case) and its value could hold a
# credential; numbers, booleans and null cannot, so `input_tokens: 1200` is fine.
SECRET_WORDS = ("key", "token", "secret", "password", "authorization")
RETRIES = 8  # record(): attempts when a concurrent append took the same seq
_INT_RANGE = (-(2**63), 2**64)  # what canonical_json (orjson) can write
_SUSPECTS = 64  # verify: edited entries checked against each other for a move
_BATCH = 5000
# One lock per database for appenders on PostgreSQL (see _lock_chain).
_PG_LOCK = int.from_bytes(hashlib.sha256(b"shotline.audit_log").digest()[:8], "big",
                          signed=True)
_FIELD_LIMITS = {"kind": 40, "actor": 200, "subject": 200}  # the columns' lengths


class Head(NamedTuple):
    """The last entry of the chain: what the anchor holds."""

    seq: int
    hash: str

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "hash": self.hash}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the log. seq is the entry it was found at (None: the anchor)."""

    seq: int | None
    kind: str  # one of PROBLEM_KINDS
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "kind": self.kind, "detail": self.detail}


@dataclass
class AuditReport:
    ok: bool  # no problems (warnings allowed)
    entries: int
    head: Head | None  # the table's last entry, as stored
    anchor: Head | None  # what the anchor file holds, if it could be read
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "head": self.head.to_dict() if self.head else None,
            "anchor": self.anchor.to_dict() if self.anchor else None,
            "problems": [p.to_dict() for p in self.problems],
            "warnings": list(self.warnings),
        }


def _naive(at: datetime) -> datetime:
    """The log keeps naive UTC times (as the rest of the project does)."""
    return at if at.tzinfo is None else at.astimezone(UTC).replace(tzinfo=None)


def _iso(at: datetime) -> str:
    return _naive(at).isoformat(timespec="microseconds")


def hashed_form(seq: int, at: datetime, kind: str, actor: str, subject: str, data: Any,
                prev_hash: str) -> bytes:
    """The exact bytes entry_hash hashes (see there)."""
    return canonical_json({"seq": seq, "at": _iso(at), "kind": kind, "actor": actor,
                           "subject": subject, "data": data, "prev_hash": prev_hash})


def entry_hash(seq: int, at: datetime, kind: str, actor: str, subject: str, data: Any,
               prev_hash: str) -> str:
    """The hash of one entry, as lowercase hex: sha256 over the canonical JSON object

        {"actor": ACTOR, "at": "YYYY-MM-DDTHH:MM:SS.ffffff", "data": DATA, "kind": KIND,
         "prev_hash": PREV_HASH, "seq": SEQ, "subject": SUBJECT}

    written with keys sorted (at every depth), no whitespace, UTF-8 without escaping
    non-ASCII, floats in their shortest round-trip form (what orjson writes:
    `orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)`). `at` is the naive UTC time, always
    with six digits of microseconds; seq is an integer; PREV_HASH is the previous entry's
    hash (64 zeros for entry 1). In Python, without Shotline:

        hashlib.sha256(orjson.dumps({...}, option=orjson.OPT_SORT_KEYS)).hexdigest()
    """
    return hashlib.sha256(hashed_form(seq, at, kind, actor, subject, data,
                                      prev_hash)).hexdigest()


def _plain(value: Any, path: str) -> Any:
    """value as plain JSON (tuples become lists), so that what is stored is what was
    hashed; anything else, and any key that may hold a credential, is a ValueError."""
    if value is None or isinstance(value, bool | str):
        if isinstance(value, str):
            _encodable(value, path)
        return value
    if isinstance(value, int):
        if not _INT_RANGE[0] <= value < _INT_RANGE[1]:
            raise ValueError(f"audit data {path}: integer out of range ({value})")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"audit data {path}: {value} is not JSON")
        return value
    if isinstance(value, Mapping):
        plain: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"audit data {path}: key {key!r} is not a string")
            _encodable(key, path)
            where = f"{path}.{key}"
            if _secret(key, item):
                raise ValueError(f"audit data {where}: looks like a credential; the audit "
                                 "log must never hold one (log a name or a hash instead)")
            plain[key] = _plain(item, where)
        return plain
    if isinstance(value, list | tuple):
        return [_plain(item, f"{path}[{k}]") for k, item in enumerate(value)]
    raise ValueError(f"audit data {path}: a {type(value).__name__} is not JSON")


def _encodable(value: str, path: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"audit data {path}: not valid Unicode text") from None


def _secret(key: str, value: Any) -> bool:
    if value is None or isinstance(value, bool | int | float):
        return False
    lowered = key.lower()
    return any(word in lowered for word in SECRET_WORDS)


def _check_fields(kind: str, actor: str, subject: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown audit kind {kind!r}; expected one of {', '.join(KINDS)}")
    for name, value in (("kind", kind), ("actor", actor), ("subject", subject)):
        if not isinstance(value, str):
            raise ValueError(f"audit {name} must be text, got {type(value).__name__}")
        if len(value) > _FIELD_LIMITS[name]:
            raise ValueError(f"audit {name} is longer than {_FIELD_LIMITS[name]} characters")
        if "\x00" in value:  # PostgreSQL refuses NUL in text
            raise ValueError(f"audit {name} holds a NUL character")
        _encodable(value, name)


def _lock_chain(session: Session) -> None:
    """Hold the chain for this transaction, so no other appender reads the same head.

    PostgreSQL: a transaction-scoped advisory lock. A row lock on the last entry (FOR
    UPDATE) is not enough: an empty table has no row to lock, and under READ COMMITTED
    a waiter is handed back the row it waited for, the old head, after the holder commits.
    Once the advisory lock is ours, the next statement sees everything committed before.
    SQLite: a write that changes nothing takes the database's writer lock (waiting out
    the busy timeout for another writer) before the head is read.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(_PG_LOCK)))
    elif dialect == "sqlite":
        session.execute(text("UPDATE audit_log SET seq = seq WHERE seq < 0"))


def append(session: Session, kind: str, actor: str, subject: str,
           data: Mapping[str, Any] | None = None) -> AuditEntry:
    """Append an entry inside the caller's transaction: it commits, or rolls back, with
    whatever the caller does in that transaction (an approval and its entry go together).

    From here to the end of that transaction the chain is held (PostgreSQL: an advisory
    lock; SQLite: the writer lock), so other appenders wait: keep the transaction short.
    After the commit, call `anchor(project)` (record() does both). Two appenders that
    still collide (a caller's transaction that cannot see the other's commit) fail on the
    unique seq and hash at flush, as an IntegrityError: the chain never forks.
    Bad fields, data that is not plain JSON, or a key that may hold a credential are a
    ValueError.
    """
    _check_fields(kind, actor, subject)
    plain = _plain(dict(data or {}), "data")
    _lock_chain(session)
    last = session.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
        .with_for_update()).first()
    seq, prev_hash = (1, GENESIS) if last is None else (last.seq + 1, last.hash)
    at = now()
    entry = AuditEntry(seq=seq, at=at, kind=kind, actor=actor, subject=subject, data=plain,
                       prev_hash=prev_hash,
                       hash=entry_hash(seq, at, kind, actor, subject, plain, prev_hash))
    session.add(entry)
    session.flush()  # a collision fails here, and a second append in this transaction sees it
    return entry


def _concurrent(exc: Exception) -> bool:
    """Whether a failed append lost a race (worth another try) rather than being wrong."""
    if isinstance(exc, IntegrityError):
        return True
    orig = getattr(exc, "orig", None)
    state = getattr(orig, "sqlstate", None)
    # serialization failure, deadlock; SQLite's busy writer lock
    return state in ("40001", "40P01") or "locked" in str(orig).lower()


def record(project: Project, kind: str, actor: str, subject: str,
           data: Mapping[str, Any] | None = None) -> AuditEntry:
    """Append an entry in a transaction of its own, then move the anchor to it.

    A concurrent append that took the same seq makes this one fail and try again, a few
    times, after a short random wait.
    """
    for attempt in range(RETRIES):
        try:
            with project.sessions.begin() as session:
                entry = append(session, kind, actor, subject, data)
            break
        except (IntegrityError, OperationalError) as exc:
            if attempt == RETRIES - 1 or not _concurrent(exc):
                raise
            time.sleep(random.uniform(0.005, 0.02) * (attempt + 1))
    anchor(project)
    return entry


def head(session: Session) -> Head | None:
    last = session.execute(select(AuditEntry.seq, AuditEntry.hash)
                           .order_by(AuditEntry.seq.desc()).limit(1)).first()
    return None if last is None else Head(last.seq, last.hash)


class AnchorError(ValueError):
    """The anchor file exists but does not hold a head."""


def read_anchor(project: Project) -> Head | None:
    """The anchor file's head, or None when there is no file (AnchorError: one that does
    not hold a head)."""
    path = project.state / ANCHOR_FILE
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise AnchorError(f"cannot read the anchor: {exc.strerror}") from None
    try:
        value = orjson.loads(raw)
        seq, digest = value["seq"], value["hash"]
    except (orjson.JSONDecodeError, TypeError, KeyError):
        raise AnchorError("the anchor file is not {\"seq\": N, \"hash\": H}") from None
    if (not isinstance(seq, int) or isinstance(seq, bool) or seq < 1
            or not isinstance(digest, str) or not re.fullmatch("[0-9a-f]{64}", digest)):
        raise AnchorError("the anchor file is not {\"seq\": N, \"hash\": H}")
    return Head(seq, digest)


@contextmanager
def _anchor_lock(project: Project) -> Iterator[None]:
    project.state.mkdir(parents=True, exist_ok=True)
    with (project.state / f"{ANCHOR_FILE}.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file closes
        yield


def anchor(project: Project) -> Head | None:
    """Write the chain's head to the anchor file; returns what the file now holds.

    Call it after committing a transaction that appended. It only moves the anchor
    forward, and never off the chain: an anchor that the table contradicts (its entry
    gone or different: truncation or a rewrite) is left as it is, as evidence for verify.
    If that was a legitimate restore from a backup, delete the anchor file: the next
    append writes a new one.
    """
    with _anchor_lock(project):
        try:
            current = read_anchor(project)
        except AnchorError:
            return None  # leave it for verify to report
        with project.sessions() as session:
            latest = head(session)
            if latest is None:
                return current
            if current is not None:
                anchored = session.scalar(select(AuditEntry.hash)
                                          .where(AuditEntry.seq == current.seq))
                if anchored != current.hash or current.seq >= latest.seq:
                    return current
        write_atomic(project.state / ANCHOR_FILE, canonical_json(latest.to_dict()) + b"\n")
        return latest


def entry_dict(entry: AuditEntry) -> dict[str, Any]:
    return {"seq": entry.seq, "at": _iso(entry.at), "kind": entry.kind, "actor": entry.actor,
            "subject": entry.subject, "data": entry.data, "prev_hash": entry.prev_hash,
            "hash": entry.hash}


def entries(project: Project, since: datetime | None = None, kind: str | None = None,
            limit: int | None = None) -> list[AuditEntry]:
    """Entries in seq order: those at or after `since` (naive UTC), of one kind, and with
    a limit, the last `limit` of them (the newest)."""
    query = select(AuditEntry)
    if since is not None:
        query = query.where(AuditEntry.at >= _naive(since))
    if kind is not None:
        query = query.where(AuditEntry.kind == kind)
    query = query.order_by(AuditEntry.seq.desc())
    if limit is not None:
        query = query.limit(limit)
    with project.sessions() as session:
        found = list(session.scalars(query))
    found.reverse()
    return found


class _Row(NamedTuple):
    seq: int
    at: datetime
    kind: Any
    actor: Any
    subject: Any
    data: Any
    prev_hash: Any
    hash: Any


def _hash_of(row: _Row, seq: int) -> str | None:
    try:
        return entry_hash(seq, row.at, row.kind, row.actor, row.subject, row.data,
                          row.prev_hash)
    except (TypeError, ValueError):  # a column overwritten with something unhashable
        return None


def _stream(session: Session) -> Iterator[tuple[_Row | None, int, Any, Any, str]]:
    """(row, seq, prev_hash, hash, why) per entry in seq order; row is None, with why,
    for an entry whose columns no longer parse (written over with raw SQL)."""
    table = AuditEntry.__table__
    sqlite = session.get_bind().dialect.name == "sqlite"
    # Raw text where an attacker can leave something unparseable, so one bad row is one
    # problem and not a crash; orjson also reads it faster than the JSON type would.
    at = type_coerce(table.c.at, String()) if sqlite else table.c.at
    query = (select(table.c.seq, at, table.c.kind, table.c.actor, table.c.subject,
                    cast(table.c.data, Text), table.c.prev_hash, table.c.hash)
             .order_by(table.c.seq))
    result = session.connection().execute(query.execution_options(yield_per=_BATCH))
    for seq, at_value, kind, actor, subject, data_text, prev_hash, digest in result:
        try:
            when = datetime.fromisoformat(at_value) if isinstance(at_value, str) else at_value
            if not isinstance(when, datetime):
                raise TypeError
            data = orjson.loads(data_text)
        except (TypeError, ValueError):
            yield None, seq, prev_hash, digest, "its time or data can no longer be read"
            continue
        yield (_Row(seq, when, kind, actor, subject, data, prev_hash, digest), seq,
               prev_hash, digest, "")


def _short(value: Any) -> str:
    return str(value)[:12]


def verify(project: Project) -> AuditReport:
    """Walk the chain in seq order and check each entry's hash, its link to the entry
    before, that seqs run 1, 2, 3, ... and that the anchor agrees with the head.

    Streams the table, so memory does not grow with the log.
    """
    problems: list[Problem] = []
    warnings: list[str] = []
    try:
        anchored = read_anchor(project)
        anchor_error = None
    except AnchorError as exc:
        anchored, anchor_error = None, str(exc)
    suspects: list[tuple[int, _Row]] = []  # (index in problems, row) of edited entries
    missing: list[int] = []  # seqs in gaps: where a moved entry may have come from
    count = 0
    last: Head | None = None
    at_anchor: Any = None  # the stored hash of the entry the anchor names
    with project.sessions() as session:
        for row, seq, prev_hash, digest, why in _stream(session):
            count += 1
            if row is None or _hash_of(row, seq) != digest:
                problems.append(Problem(seq, "edited", why or "its hash does not match its "
                                        "content: the entry was changed after it was written"))
                if row is not None and len(suspects) < _SUSPECTS:
                    suspects.append((len(problems) - 1, row))
            if last is None:
                if seq != 1:
                    problems.append(Problem(seq, "gap", f"the log starts at entry {seq}: "
                                            f"entries 1 to {seq - 1} are missing"))
                    missing.extend(range(1, min(seq, _SUSPECTS + 1)))
                elif prev_hash != GENESIS:
                    problems.append(Problem(seq, "bad genesis", "entry 1 must link to 64 "
                                            f"zeros, not {_short(prev_hash)}…"))
            else:
                if seq != last.seq + 1:
                    absent = (f"entry {last.seq + 1} is" if seq == last.seq + 2
                              else f"entries {last.seq + 1} to {seq - 1} are")
                    problems.append(Problem(seq, "gap", f"{absent} missing"))
                    if len(missing) < _SUSPECTS:
                        missing.extend(range(last.seq + 1, min(seq, last.seq + _SUSPECTS)))
                if prev_hash != last.hash:
                    problems.append(Problem(seq, "broken link", f"it links to "
                                            f"{_short(prev_hash)}…, not to entry {last.seq} "
                                            f"({_short(last.hash)}…): an entry before it was "
                                            "removed, moved or rewritten"))
            if anchored is not None and seq == anchored.seq:
                at_anchor = digest
            last = Head(seq, str(digest))
    _find_moves(problems, suspects, missing[:_SUSPECTS])
    if anchor_error is not None:
        problems.append(Problem(None, "bad anchor", anchor_error))
    elif anchored is None:
        if count:
            warnings.append(f"no anchor file (.shotline/{ANCHOR_FILE}): removal of the "
                            "last entries cannot be detected")
    elif last is None or anchored.seq > last.seq:
        end = f"ends at entry {last.seq}" if last else "is empty"
        first = last.seq + 1 if last else 1
        removed = f"entry {first} was" if first == anchored.seq else \
            f"entries {first} to {anchored.seq} were"
        problems.append(Problem(anchored.seq, "truncated", f"the anchor names entry "
                                f"{anchored.seq} but the log {end}: {removed} removed"))
    elif at_anchor is None:
        problems.append(Problem(anchored.seq, "anchor mismatch", f"the anchor names entry "
                                f"{anchored.seq}, which is missing"))
    elif at_anchor != anchored.hash:
        problems.append(Problem(anchored.seq, "anchor mismatch", f"the anchor names entry "
                                f"{anchored.seq} as {_short(anchored.hash)}…, the log has "
                                f"{_short(at_anchor)}…: the chain was rewritten"))
    elif anchored.seq < last.seq:
        behind = last.seq - anchored.seq
        warnings.append(f"the anchor is {behind} entr{'y' if behind == 1 else 'ies'} behind "
                        f"the log (it names entry {anchored.seq} of {last.seq}): the "
                        "entries after it are not covered by it (an anchor write was lost "
                        "in a crash, or they were added outside Shotline)")
    problems.sort(key=lambda p: (p.seq is None, p.seq or 0))
    return AuditReport(ok=not problems, entries=count, head=last, anchor=anchored,
                       problems=problems, warnings=warnings)


def _find_moves(problems: list[Problem], suspects: list[tuple[int, _Row]],
                missing: list[int]) -> None:
    """An edited entry whose hash holds at another edited entry's seq, or at a seq that
    is missing, was moved from there (seqs swapped, rotated or renumbered), not changed:
    say so."""
    seqs = [row.seq for _, row in suspects] + missing
    for index, row in suspects:
        for other in seqs:
            if other != row.seq and _hash_of(row, other) == row.hash:
                problems[index] = Problem(row.seq, "reordered", f"written as entry {other}, "
                                          f"now at {row.seq}: the entry was moved")
                break
