"""The audit log: a chain that verifies; tampering with the table through raw SQL, as
someone with database access would, and what verify reports for each; the anchor;
credentials refused; concurrent appenders; properties over any entries and any edit."""

from __future__ import annotations

import hashlib
import itertools
import json
import multiprocessing
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import DateTime, bindparam, insert, text

from shotline.governance.audit import (
    ANCHOR_FILE,
    GENESIS,
    KINDS,
    SECRET_WORDS,
    AuditReport,
    Head,
    anchor,
    append,
    entries,
    entry_dict,
    entry_hash,
    read_anchor,
    record,
    verify,
)
from shotline.store.project import Project
from shotline.store.schema import AuditEntry


@pytest.fixture
def project(make_project: Callable[..., Project], database_url: str) -> Project:
    return make_project(database_url=database_url)


@pytest.fixture
def sqlite_project(make_project: Callable[..., Project]) -> Project:
    return make_project()


def fill(project: Project, count: int) -> list[AuditEntry]:
    return [record(project, KINDS[k % len(KINDS)], "ana", f"shot {k}A",
                   {"k": k, "take": {"seed": k * 7, "size": [960, 540]}})
            for k in range(1, count + 1)]


def sql(project: Project, statement: str, **params: Any) -> None:
    """Change the table behind Shotline's back."""
    with project.sessions.begin() as session:
        session.execute(text(statement), params)


def set_data(project: Project, seq: int, data: Any) -> None:
    # PostgreSQL's json column takes text only through a cast; SQLite's is text.
    value = "CAST(:v AS json)" if project.engine.dialect.name == "postgresql" else ":v"
    sql(project, f"UPDATE audit_log SET data = {value} WHERE seq = :s", v=json.dumps(data),
        s=seq)


def set_at(project: Project, seq: int, at: datetime) -> None:
    with project.sessions.begin() as session:
        session.execute(text("UPDATE audit_log SET at = :v WHERE seq = :s")
                        .bindparams(bindparam("v", type_=DateTime())), {"v": at, "s": seq})


def row(project: Project, seq: int) -> AuditEntry:
    with project.sessions() as session:
        entry = session.get(AuditEntry, seq)
    assert entry is not None
    return entry


def rehash(entry: AuditEntry, **changes: Any) -> str:
    """What an attacker who knows the hashed form computes for an edited entry."""
    fields = {"seq": entry.seq, "at": entry.at, "kind": entry.kind, "actor": entry.actor,
              "subject": entry.subject, "data": entry.data, "prev_hash": entry.prev_hash}
    return entry_hash(**{**fields, **changes})


def kinds(report: AuditReport) -> list[tuple[int | None, str]]:
    return [(p.seq, p.kind) for p in report.problems]


def anchor_path(project: Project) -> Path:
    return project.state / ANCHOR_FILE


# -- a chain that holds ----------------------------------------------------------------


def test_a_chain_of_entries_verifies(project: Project) -> None:
    made = fill(project, 12)
    report = verify(project)
    assert report.ok, report.problems
    assert (report.entries, report.problems, report.warnings) == (12, [], [])
    assert report.head == Head(12, made[-1].hash) == report.anchor
    assert [e.seq for e in made] == list(range(1, 13))
    assert made[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(made))
    assert report.to_dict()["head"] == {"seq": 12, "hash": made[-1].hash}
    assert read_anchor(project) == Head(12, made[-1].hash)


def test_an_outsider_recomputes_the_hash_from_the_documented_form(project: Project) -> None:
    record(project, "export", "ana", "cut v3.edl",
           {"format": "edl", "shots": 42, "fps": 23.976, "note": "café — ok", "ok": True})
    entry = row(project, 1)
    stored = entry_dict(entry)
    assert stored["at"].count(".") == 1 and len(stored["at"].split(".")[1]) == 6
    form = {k: stored[k] for k in ("seq", "at", "kind", "actor", "subject", "data",
                                   "prev_hash")}
    digest = hashlib.sha256(orjson.dumps(form, option=orjson.OPT_SORT_KEYS)).hexdigest()
    assert digest == entry.hash
    # without orjson too, for data without floats
    form["data"] = {"format": "edl", "shots": 42, "note": "café — ok", "ok": True}
    plain = json.dumps(form, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert plain.encode() == orjson.dumps(form, option=orjson.OPT_SORT_KEYS)


def test_append_commits_with_the_callers_transaction(project: Project) -> None:
    record(project, "run", "ana", "run 1", {})
    with pytest.raises(RuntimeError), project.sessions.begin() as session:
        append(session, "approval", "ana", "shot 1A", {"decision": "approve"})
        raise RuntimeError("the approval failed")
    with project.sessions.begin() as session:  # two entries in one transaction chain up
        first = append(session, "approval", "ana", "shot 1A", {"decision": "approve"})
        second = append(session, "approval", "ana", "shot 2A", {"decision": "lock"})
    assert (first.seq, second.seq, second.prev_hash) == (2, 3, first.hash)
    assert anchor(project) == Head(3, second.hash)
    report = verify(project)
    assert report.ok and report.entries == 3 and report.warnings == []


def test_entries_lists_by_kind_time_and_limit(sqlite_project: Project) -> None:
    made = fill(sqlite_project, len(KINDS) * 2)
    assert [e.seq for e in entries(sqlite_project)] == [e.seq for e in made]
    exports = [e.seq for e in made if e.kind == "export"]
    assert len(exports) == 2
    assert [e.seq for e in entries(sqlite_project, kind="export")] == exports
    assert [e.seq for e in entries(sqlite_project, limit=3)] == [16, 17, 18]
    assert [e.seq for e in entries(sqlite_project, since=made[-2].at)] == [17, 18]
    assert entries(sqlite_project, since=made[-1].at + timedelta(seconds=1)) == []


def test_an_empty_log_verifies_without_warnings(sqlite_project: Project) -> None:
    report = verify(sqlite_project)
    assert (report.ok, report.entries, report.head, report.warnings) == (True, 0, None, [])


# -- tampering ---------------------------------------------------------------------------


def test_edited_data_is_found_at_its_entry(project: Project) -> None:
    fill(project, 6)
    set_data(project, 3, {"k": 3, "take": {"seed": 999, "size": [960, 540]}})
    report = verify(project)
    assert not report.ok
    assert kinds(report) == [(3, "edited")]
    assert "changed after it was written" in report.problems[0].detail


def test_an_edit_that_rehashes_breaks_the_next_link(project: Project) -> None:
    fill(project, 6)
    entry = row(project, 3)
    forged = {"k": 3, "take": {"seed": 999}}
    set_data(project, 3, forged)
    sql(project, "UPDATE audit_log SET hash = :h WHERE seq = 3", h=rehash(entry, data=forged))
    assert kinds(verify(project)) == [(4, "broken link")]


def test_an_edit_rehashed_to_the_end_is_caught_by_the_anchor(project: Project) -> None:
    fill(project, 4)
    prev = row(project, 2).hash
    for seq in (3, 4):  # rewrite the whole tail consistently
        entry = row(project, seq)
        digest = rehash(entry, data={"forged": True}, prev_hash=prev)
        set_data(project, seq, {"forged": True})
        sql(project, "UPDATE audit_log SET prev_hash = :p, hash = :h WHERE seq = :s",
            p=prev, h=digest, s=seq)
        prev = digest
    report = verify(project)
    assert kinds(report) == [(4, "anchor mismatch")]
    assert "rewritten" in report.problems[0].detail


def test_a_removed_middle_entry_leaves_a_gap_and_a_broken_link(project: Project) -> None:
    fill(project, 6)
    sql(project, "DELETE FROM audit_log WHERE seq = 3")
    report = verify(project)
    assert kinds(report) == [(4, "gap"), (4, "broken link")]
    assert report.problems[0].detail == "entry 3 is missing"


def test_removed_first_entries_are_a_gap(project: Project) -> None:
    fill(project, 5)
    sql(project, "DELETE FROM audit_log WHERE seq <= 2")
    report = verify(project)
    assert kinds(report) == [(3, "gap")]
    assert "entries 1 to 2 are missing" in report.problems[0].detail


def test_a_forged_genesis_is_found(project: Project) -> None:
    fill(project, 3)
    entry = row(project, 1)
    other = "1" * 64
    sql(project, "UPDATE audit_log SET prev_hash = :p, hash = :h WHERE seq = 1", p=other,
        h=rehash(entry, prev_hash=other))
    assert kinds(verify(project)) == [(1, "bad genesis"), (2, "broken link")]


def test_swapped_entries_are_reported_as_reordered(project: Project) -> None:
    fill(project, 6)
    sql(project, "UPDATE audit_log SET seq = 100 WHERE seq = 3")
    sql(project, "UPDATE audit_log SET seq = 3 WHERE seq = 4")
    sql(project, "UPDATE audit_log SET seq = 4 WHERE seq = 100")
    report = verify(project)
    assert kinds(report) == [(3, "reordered"), (3, "broken link"), (4, "reordered"),
                             (4, "broken link"), (5, "broken link")]
    assert report.problems[0].detail == "written as entry 4, now at 3: the entry was moved"


def test_a_renumbered_entry_is_reported_as_moved(project: Project) -> None:
    fill(project, 5)
    sql(project, "UPDATE audit_log SET seq = 9 WHERE seq = 3")
    report = verify(project)
    assert kinds(report) == [(4, "gap"), (4, "broken link"), (9, "reordered"), (9, "gap"),
                             (9, "broken link")]
    assert report.problems[2].detail == "written as entry 3, now at 9: the entry was moved"


def test_removed_last_entries_are_truncation(project: Project) -> None:
    fill(project, 6)
    sql(project, "DELETE FROM audit_log WHERE seq >= 5")
    report = verify(project)
    assert kinds(report) == [(6, "truncated")]
    assert report.problems[0].detail == ("the anchor names entry 6 but the log ends at "
                                         "entry 4: entries 5 to 6 were removed")
    sql(project, "DELETE FROM audit_log")
    assert kinds(verify(project)) == [(6, "truncated")]


def test_a_truncated_log_keeps_its_anchor_through_later_appends(project: Project) -> None:
    made = fill(project, 5)
    sql(project, "DELETE FROM audit_log WHERE seq >= 4")
    record(project, "run", "mallory", "cover-up", {})  # seq 4 again, a different hash
    assert read_anchor(project) == Head(5, made[-1].hash)
    assert kinds(verify(project)) == [(5, "truncated")]
    record(project, "run", "mallory", "cover-up", {})  # seq 5: not the anchored entry
    assert read_anchor(project) == Head(5, made[-1].hash)
    assert kinds(verify(project)) == [(5, "anchor mismatch")]
    for _ in range(2):  # later heads do not paper over it either
        record(project, "run", "mallory", "cover-up", {})
    assert kinds(verify(project)) == [(5, "anchor mismatch")]


def test_a_missing_anchor_is_a_warning(project: Project) -> None:
    fill(project, 3)
    anchor_path(project).unlink()
    report = verify(project)
    assert report.ok and report.anchor is None
    assert report.warnings == [f"no anchor file (.shotline/{ANCHOR_FILE}): removal of the "
                               "last entries cannot be detected"]
    record(project, "run", "ana", "run 2", {})  # the next append writes it again
    assert verify(project).warnings == []


def test_an_anchor_one_behind_is_a_warning_only(project: Project) -> None:
    fill(project, 3)
    with project.sessions.begin() as session:  # committed, then "crashed" before anchor()
        append(session, "approval", "ana", "shot 1A", {"decision": "approve"})
    report = verify(project)
    assert report.ok and report.problems == []
    assert report.anchor is not None and report.anchor.seq == 3
    assert report.warnings[0].startswith("the anchor is 1 entry behind the log (it names "
                                         "entry 3 of 4)")


def test_an_anchor_ahead_or_unreadable_fails(project: Project) -> None:
    made = fill(project, 3)
    anchor_path(project).write_text(json.dumps({"seq": 3, "hash": "f" * 64}))
    assert kinds(verify(project)) == [(3, "anchor mismatch")]
    anchor_path(project).write_text(json.dumps({"seq": 9, "hash": made[-1].hash}))
    assert kinds(verify(project)) == [(9, "truncated")]
    anchor_path(project).write_text("head: 3")
    assert kinds(verify(project)) == [(None, "bad anchor")]
    assert anchor(project) is None and anchor_path(project).read_text() == "head: 3"


def test_unreadable_columns_are_one_problem_not_a_crash(sqlite_project: Project) -> None:
    fill(sqlite_project, 4)
    sql(sqlite_project, "UPDATE audit_log SET data = 'not json' WHERE seq = 2")
    sql(sqlite_project, "UPDATE audit_log SET at = 'yesterday' WHERE seq = 3")
    sql(sqlite_project, "UPDATE audit_log SET actor = x'00ff' WHERE seq = 4")
    report = verify(sqlite_project)
    assert kinds(report) == [(2, "edited"), (3, "edited"), (4, "edited")]
    assert report.problems[0].detail == "its time or data can no longer be read"


# -- what may be logged ----------------------------------------------------------------


@pytest.mark.parametrize("data", [
    {"api_key": "sk-123"},
    {"provider": {"headers": {"Authorization": "Bearer abc"}}},
    {"calls": [{"accessToken": "abc"}]},
    {"CLIENT_SECRET": "abc"},
    {"db_password": ["abc"]},
    {"keys": {"a": "b"}},
])
def test_credentials_are_refused(sqlite_project: Project, data: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="credential"):
        record(sqlite_project, "provider-call", "ana", "openai", data)
    assert verify(sqlite_project).entries == 0


def test_counts_under_secret_sounding_names_are_fine(sqlite_project: Project) -> None:
    entry = record(sqlite_project, "provider-call", "ana", "openai",
                   {"input_tokens": 1200, "output_tokens": 80, "has_api_key": True,
                    "max_tokens": None, "cost_usd": 0.012})
    assert entry.data["input_tokens"] == 1200


@pytest.mark.parametrize(("kind", "data", "message"), [
    ("generation", {"when": datetime(2026, 1, 1)}, "datetime is not JSON"),
    ("generation", {"ids": {1, 2}}, "set is not JSON"),
    ("generation", {"x": float("nan")}, "nan is not JSON"),
    ("generation", {"x": b"bytes"}, "bytes is not JSON"),
    ("generation", {"x": {1: "a"}}, "not a string"),
    ("generation", {"x": 2**70}, "out of range"),
    ("generation", {"x": "\ud800"}, "not valid Unicode"),
    ("gossip", {}, "unknown audit kind"),
])
def test_bad_entries_are_refused(sqlite_project: Project, kind: str, data: dict[str, Any],
                                 message: str) -> None:
    with pytest.raises(ValueError, match=message):
        record(sqlite_project, kind, "ana", "shot 1A", data)


def test_long_fields_are_refused(sqlite_project: Project) -> None:
    with pytest.raises(ValueError, match="longer than 200"):
        record(sqlite_project, "export", "ana", "x" * 201, {})


def test_tuples_are_stored_as_the_lists_that_were_hashed(sqlite_project: Project) -> None:
    record(sqlite_project, "export", "ana", "cut", {"size": (960, 540)})
    assert row(sqlite_project, 1).data == {"size": [960, 540]}
    assert verify(sqlite_project).ok


# -- concurrency -------------------------------------------------------------------------


def test_concurrent_threads_keep_one_chain(project: Project) -> None:
    threads, each = 6, 12
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def work(worker: int) -> None:
        try:
            start.wait()
            for k in range(each):
                record(project, "generation", f"worker {worker}", f"take {k}", {"k": k})
        except BaseException as exc:
            errors.append(exc)

    pool = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert errors == []
    report = verify(project)
    assert report.ok, report.problems
    assert report.entries == threads * each and report.warnings == []
    assert report.anchor == report.head


def _append_from_another_process(root: str, worker: int, each: int) -> None:
    project = Project.open(Path(root))
    try:
        for k in range(each):
            record(project, "provider-call", f"process {worker}", f"call {k}", {"k": k})
    finally:
        project.close()


def test_concurrent_processes_keep_one_chain(project: Project) -> None:
    context = multiprocessing.get_context("spawn")
    workers, each = 3, 10
    procs = [context.Process(target=_append_from_another_process,
                             args=(str(project.root), n, each)) for n in range(workers)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(120)
    assert [p.exitcode for p in procs] == [0] * workers
    report = verify(project)
    assert report.ok, report.problems
    assert report.entries == workers * each and report.anchor == report.head


# -- speed -------------------------------------------------------------------------------


def _bulk(project: Project, count: int) -> None:
    """A long, valid chain, written directly (appending one by one would take minutes)."""
    prev, rows, start = GENESIS, [], datetime(2026, 1, 1)
    for seq in range(1, count + 1):
        at = start + timedelta(microseconds=seq * 1_234_567)
        data = {"provider": "openai", "shot": f"{seq % 97}A", "cost_usd": 0.04,
                "params": {"seed": seq, "size": [1024, 576]}}
        digest = entry_hash(seq, at, "generation", "ana", f"shot {seq % 97}A", data, prev)
        rows.append({"seq": seq, "at": at, "kind": "generation", "actor": "ana",
                     "subject": f"shot {seq % 97}A", "data": data, "prev_hash": prev,
                     "hash": digest})
        prev = digest
    with project.sessions.begin() as session:
        session.execute(insert(AuditEntry), rows)
    anchor(project)


def test_a_long_chain_verifies_quickly(sqlite_project: Project) -> None:
    _bulk(sqlite_project, 20_000)
    started = time.perf_counter()
    report = verify(sqlite_project)
    elapsed = time.perf_counter() - started
    assert report.ok and report.entries == 20_000 and report.warnings == []
    assert elapsed < 10  # about 0.4 s on a 2-core machine: 100,000 entries take ~2 s
    sql(sqlite_project, "DELETE FROM audit_log WHERE seq = 12345")
    assert kinds(verify(sqlite_project)) == [(12346, "gap"), (12346, "broken link")]


# -- properties --------------------------------------------------------------------------

_scalars = (st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1)
            | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12))
_keys = st.text(max_size=8).filter(lambda k: not any(w in k.lower() for w in SECRET_WORDS))
_json = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(_keys, inner, max_size=3), max_leaves=8)
_data = st.dictionaries(_keys, _json, max_size=4)
_names = st.text(st.characters(exclude_characters="\x00", exclude_categories=["Cs"]),
                 max_size=30)
_entry = st.tuples(st.sampled_from(KINDS), _names, _names, _data)
_PROPERTY = settings(max_examples=40, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture,
                                            HealthCheck.too_slow])


@pytest.fixture
def fresh(project: Project) -> Iterator[Callable[[], Project]]:
    """The same project, emptied for each example."""
    def reset() -> Project:
        sql(project, "DELETE FROM audit_log")
        anchor_path(project).unlink(missing_ok=True)
        return project

    yield reset


@_PROPERTY
@given(st.lists(_entry, min_size=1, max_size=5))
def test_any_appended_entries_verify(fresh: Callable[[], Project],
                                     made: list[tuple[str, str, str, dict[str, Any]]]) -> None:
    project = fresh()
    for kind, actor, subject, data in made:
        entry = record(project, kind, actor, subject, data)
        assert orjson.dumps(entry.data, option=orjson.OPT_SORT_KEYS) == \
            orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
    report = verify(project)
    assert report.ok, report.problems
    assert report.entries == len(made) and report.warnings == []


_FIELDS = ("seq", "at", "kind", "actor", "subject", "data", "prev_hash", "hash")


@_PROPERTY
@given(made=st.lists(_entry, min_size=1, max_size=4), pick=st.integers(0, 3),
       field=st.sampled_from(_FIELDS), value=st.data())
def test_any_single_edit_fails_verification(
        fresh: Callable[[], Project], made: list[tuple[str, str, str, dict[str, Any]]],
        pick: int, field: str, value: st.DataObject) -> None:
    project = fresh()
    for kind, actor, subject, data in made:
        record(project, kind, actor, subject, data)
    target = row(project, pick % len(made) + 1)
    seq = target.seq
    if field == "seq":
        new = value.draw(st.integers(-10, 100).filter(lambda s: not 1 <= s <= len(made)))
        sql(project, "UPDATE audit_log SET seq = :v WHERE seq = :s", v=new, s=seq)
    elif field == "at":
        shift = value.draw(st.integers(1, 10**12) | st.integers(-(10**12), -1))
        set_at(project, seq, target.at + timedelta(microseconds=shift))
    elif field == "data":
        old = orjson.dumps(target.data, option=orjson.OPT_SORT_KEYS)
        new_data = value.draw(_data.filter(
            lambda d: orjson.dumps(d, option=orjson.OPT_SORT_KEYS) != old))
        set_data(project, seq, new_data)
    else:
        current = getattr(target, field)
        if field in ("prev_hash", "hash"):
            choice = st.text("0123456789abcdef", min_size=64, max_size=64)
        else:
            choice = _names if field != "kind" else st.text(max_size=40).filter(
                lambda k: "\x00" not in k)
        new_text = value.draw(choice.filter(lambda v: v != current))
        sql(project, f"UPDATE audit_log SET {field} = :v WHERE seq = :s", v=new_text, s=seq)
    report = verify(project)
    assert not report.ok, (field, report.to_dict())
