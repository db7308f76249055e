"""`shotline verify`: read a file's content credentials and say whether they hold."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from shotline.cli.common import JsonFlag, ProjectOption, app, out
from shotline.errors import InputError
from shotline.files import to_json
from shotline.governance.credentials import SOURCE_TYPES, Verification, media_type_of, verify_asset
from shotline.governance.signing import identity_folder, load_trust_anchors
from shotline.store.project import STATE_DIR, Project
from shotline.store.settings import SETTINGS_FILE

EXIT_NOT_VERIFIED = 3  # no manifest, a broken one, or a signer outside the trust anchors

_KINDS = {source: kind for kind, source in SOURCE_TYPES.items()}

MediaFile = Annotated[Path, typer.Argument(help="A PNG, JPEG or MP4 file.", show_default=False)]
TrustOption = Annotated[Path | None, typer.Option(
    "--trust", help="PEM root certificate(s) to trust instead of the project's CA.",
    show_default=False)]


def _project_root(folder: Path | None) -> Path | None:
    """The project to take the CA from: --project, else the one holding the current folder.
    Only its files are read; the database is not opened."""
    if folder is None:
        return Project.find(Path.cwd())
    if not (folder / SETTINGS_FILE).is_file():
        raise InputError(f"not a Shotline project (no {SETTINGS_FILE})", source=str(folder))
    return folder


def _anchors(trust: Path | None, project_dir: Path | None) -> tuple[bytes | None, str | None]:
    """The trust anchors and where they came from."""
    if trust is not None:
        try:
            return trust.read_bytes(), str(trust)
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", source=str(trust)) from None
    root = _project_root(project_dir)
    if root is None:
        return None, None
    anchors = load_trust_anchors(identity_folder(root / STATE_DIR))
    return anchors, f"the project's CA ({root.name})" if anchors else None


@app.command()
def verify(
    file: MediaFile,
    as_json: JsonFlag = False,
    trust: TrustOption = None,
    project_dir: ProjectOption = None,
) -> None:
    """Check a board or animatic's content credentials (C2PA): signature, hashes, signer.

    Inside a project its CA is the trust anchor. Exit codes: 0 credentials hold (and the
    signer is trusted, when there is an anchor), 3 no credentials, broken ones or an
    untrusted signer, 2 a file that cannot be read.
    """
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", source=str(file)) from None
    anchors, anchor_source = _anchors(trust, project_dir)
    try:
        result = verify_asset(data, media_type_of(data, file), anchors)
    except InputError as exc:
        if exc.source is None:  # say which file
            raise InputError(exc.message, source=str(file)) from None
        raise
    ok = result.valid and (result.trusted or anchors is None)
    if as_json:
        sys.stdout.write(to_json({"file": str(file), "ok": ok, "trust_anchors": anchor_source,
                                  **result.to_dict()}))
    else:
        _summary(file, result, ok, anchor_source)
    if not ok:
        raise typer.Exit(EXIT_NOT_VERIFIED)


def _summary(file: Path, result: Verification, ok: bool, anchor_source: str | None) -> None:
    name = escape(str(file))
    if not result.has_manifest:
        out.print(f"[bold red]NO CREDENTIALS[/] {name}: no C2PA manifest")
        return
    if ok and result.trusted:
        out.print(f"[bold green]VALID[/] {name}: signed by a trusted signer ({anchor_source})")
    elif ok:
        out.print(f"[bold green]VALID[/] {name}: signature and hashes hold "
                  "[dim](signer not checked: no trust anchor; run inside the project or "
                  "use --trust)[/]")
    elif result.valid:
        out.print(f"[bold red]UNTRUSTED[/] {name}: intact, but the signer does not chain to "
                  f"{anchor_source}")
    else:
        out.print(f"[bold red]INVALID[/] {name}: the file or its manifest was changed or "
                  "is broken")
    rows = [
        ("title", result.title),
        ("signer", " / ".join(v for v in (result.signer, result.issuer) if v) or None),
        ("source type", _source(result.digital_source_type)),
        ("software", result.software_agent or result.claim_generator),
        ("actions", ", ".join(result.actions) or None),
        ("ingredients", ", ".join(result.ingredients) or None),
        ("prompt", " | ".join(p.replace("\n", " ")[:200] for p in result.prompts) or None),
        ("do not train", _training(result)),
    ]
    for label, value in rows:
        if value:
            out.print(f"  [bold]{label:<12}[/] {escape(value)}")
    for problem in result.problems:
        out.print(f"  [red]{escape(problem.code)}[/] {escape(problem.explanation)}")


def _source(uri: str | None) -> str | None:
    if uri is None:
        return None
    term = uri.rstrip("/").rsplit("/", 1)[-1]
    kind = _KINDS.get(uri)
    return f"{term} ({kind})" if kind else term


def _training(result: Verification) -> str | None:
    if not result.training_mining:
        return None
    refused = [entry for entry, use in result.training_mining if use == "notAllowed"]
    other = [f"{entry}={use}" for entry, use in result.training_mining if use != "notAllowed"]
    text = ("notAllowed: " + ", ".join(refused)) if refused else ""
    return "; ".join(t for t in (text, ", ".join(other)) if t)
