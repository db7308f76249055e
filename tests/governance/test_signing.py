"""The signing identity: a local CA and a C2PA-fit signing certificate, kept private."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from shotline.errors import InputError
from shotline.governance.signing import (
    CA_CERT,
    CA_KEY,
    SIGNER_CERT,
    SIGNER_KEY,
    SigningIdentityError,
    ensure_identity,
    identity_folder,
    load_identity,
    load_trust_anchors,
    make_identity,
)


def _cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_make_identity_writes_a_ca_and_a_c2pa_signing_certificate(tmp_path: Path) -> None:
    folder = tmp_path / "signing"
    identity = make_identity(folder, "Low Tide Films")
    for name in (CA_KEY, SIGNER_KEY):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600
    assert not list(folder.glob(".*.tmp"))  # nothing left half-written
    root, leaf = _cert(folder / CA_CERT), _cert(folder / SIGNER_CERT)
    leaf.verify_directly_issued_by(root)
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert not leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    usage = leaf.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and not usage.key_cert_sign
    ekus = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in ekus
    assert leaf.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)
    assert isinstance(leaf.public_key(), ec.EllipticCurvePublicKey)
    now = dt.datetime.now(dt.UTC)
    assert leaf.not_valid_before_utc < now < leaf.not_valid_after_utc
    assert leaf.not_valid_after_utc - now > dt.timedelta(days=365 * 9)
    assert root.not_valid_after_utc >= leaf.not_valid_after_utc
    assert identity.algorithm == "es256"
    assert identity.subject == "Low Tide Films Shotline signer"
    assert identity.trust_anchors == (folder / CA_CERT).read_bytes()
    assert "PRIVATE" not in repr(identity)  # the key stays out of logs


def test_load_identity_reads_back_what_was_made(tmp_path: Path) -> None:
    made = make_identity(tmp_path, "Low Tide Films")
    assert load_identity(tmp_path) == made
    assert load_trust_anchors(tmp_path) == made.trust_anchors


def test_a_long_organisation_name_still_fits_a_certificate(tmp_path: Path) -> None:
    identity = make_identity(tmp_path, "A Very Long Production Company Name " * 4)
    assert len(identity.subject) <= 64 and identity.subject.endswith("Shotline signer")


def test_make_identity_never_overwrites_keys(tmp_path: Path) -> None:
    make_identity(tmp_path, "One")
    key = (tmp_path / SIGNER_KEY).read_bytes()
    with pytest.raises(SigningIdentityError, match="already"):
        make_identity(tmp_path, "Two")
    assert (tmp_path / SIGNER_KEY).read_bytes() == key


def test_ensure_identity_makes_it_once(tmp_path: Path) -> None:
    state = tmp_path / ".shotline"
    first = ensure_identity(state, "Low Tide")
    assert first.folder == identity_folder(state) == state / "signing"
    assert ensure_identity(state, "Another Name") == first


def test_missing_identity_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no signing identity"):
        load_identity(tmp_path)
    assert load_trust_anchors(tmp_path) is None


@pytest.mark.parametrize(("name", "content", "message"), [
    (SIGNER_CERT, b"not a certificate", "not a PEM certificate chain"),
    (SIGNER_KEY, b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
     "not a PEM private key"),
    (CA_CERT, b"garbage", "not PEM certificates"),
])
def test_broken_files_are_named(tmp_path: Path, name: str, content: bytes,
                                message: str) -> None:
    make_identity(tmp_path, "Low Tide")
    (tmp_path / name).write_bytes(content)
    with pytest.raises(SigningIdentityError, match=message) as info:
        load_identity(tmp_path)
    assert name in str(info.value)


def test_a_key_from_another_identity_is_refused(tmp_path: Path) -> None:
    make_identity(tmp_path / "a", "A")
    make_identity(tmp_path / "b", "B")
    (tmp_path / "a" / SIGNER_KEY).write_bytes((tmp_path / "b" / SIGNER_KEY).read_bytes())
    with pytest.raises(SigningIdentityError, match="not the key"):
        load_identity(tmp_path / "a")


def _issue(folder: Path, *, ca: bool = False, eku: bool = True, days: int = 30,
           ed: bool = False, with_root: bool = False) -> None:
    """A production's own PKI: a root and a leaf, with one flaw or none."""
    now = dt.datetime.now(dt.UTC)
    root_key = ec.generate_private_key(ec.SECP384R1())
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Studio Root")])
    root = (x509.CertificateBuilder().subject_name(root_name).issuer_name(root_name)
            .public_key(root_key.public_key()).serial_number(1)
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(root_key, hashes.SHA384()))
    key: ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey = (
        ed25519.Ed25519PrivateKey.generate() if ed else ec.generate_private_key(ec.SECP256R1()))
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Studio")]))
               .issuer_name(root_name).public_key(key.public_key()).serial_number(2)
               .not_valid_before(now - dt.timedelta(days=2))
               .not_valid_after(now + dt.timedelta(days=days))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if eku:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")]),
            critical=False)
    leaf = builder.sign(root_key, hashes.SHA384())
    folder.mkdir(parents=True, exist_ok=True)
    chain = leaf.public_bytes(serialization.Encoding.PEM)
    if with_root:
        chain += root.public_bytes(serialization.Encoding.PEM)
    else:
        (folder / CA_CERT).write_bytes(root.public_bytes(serialization.Encoding.PEM))
    (folder / SIGNER_CERT).write_bytes(chain)
    (folder / SIGNER_KEY).write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))


def test_a_production_can_bring_its_own_certificates(tmp_path: Path) -> None:
    _issue(tmp_path / "ed", ed=True)
    identity = load_identity(tmp_path / "ed")
    assert identity.algorithm == "ed25519" and identity.subject == "Studio"
    assert identity.trust_anchors is not None


def test_a_root_at_the_end_of_the_chain_becomes_the_anchor(tmp_path: Path) -> None:
    _issue(tmp_path, with_root=True)
    identity = load_identity(tmp_path)
    assert identity.chain_pem.count(b"BEGIN CERTIFICATE") == 1
    assert identity.trust_anchors is not None
    root = x509.load_pem_x509_certificate(identity.trust_anchors)
    assert root.subject.rfc4514_string() == "CN=Studio Root"


@pytest.mark.parametrize(("flaw", "message"), [
    ({"ca": True}, "is a CA"),
    ({"eku": False}, "extended key usage"),
    ({"days": -1}, "expired"),
])
def test_certificates_c2pa_would_refuse_are_refused_early(
        tmp_path: Path, flaw: dict[str, object], message: str) -> None:
    _issue(tmp_path, **flaw)  # type: ignore[arg-type]
    with pytest.raises(SigningIdentityError, match=message):
        load_identity(tmp_path)
