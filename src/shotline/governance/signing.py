"""The production's signing identity: a local CA and the certificate that signs its media.

A project keeps it in `.shotline/signing/`:

    ca.pem      the trust anchor(s): root certificate(s) a verifier should trust
    ca.key      the local CA's private key (only when Shotline made the CA; never read back)
    signer.pem  the signing certificate chain: end-entity certificate first, then any
                intermediates (a self-signed root at the end is taken as a trust anchor)
    signer.key  the signing key, PEM (PKCS#8 or traditional), unencrypted

A production with its own PKI replaces signer.pem and signer.key (and ca.pem with its root)
and removes ca.key. Keys are written with mode 0600.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from shotline.errors import InputError
from shotline.files import write_atomic

SIGNING_DIR = "signing"
CA_CERT = "ca.pem"
CA_KEY = "ca.key"
SIGNER_CERT = "signer.pem"
SIGNER_KEY = "signer.key"

# No timestamp authority is used (signing is offline), so a verifier checks the signing
# certificate against today's date: its lifetime is the lifetime of every credential it made.
SIGNER_DAYS = 3653
CA_DAYS = 7305
_CLOCK_SKEW = dt.timedelta(minutes=5)
_NAME_MAX = 64  # RFC 5280 upper bound for commonName and organizationName

# The EKUs c2pa-rs accepts for a claim signer (a certificate needs one of them).
_C2PA_EKUS = frozenset({
    ExtendedKeyUsageOID.EMAIL_PROTECTION.dotted_string,
    "1.3.6.1.5.5.7.3.36",  # id-kp-documentSigning
    "1.3.6.1.4.1.311.76.59.1.9",  # Microsoft C2PA signing
})


_Ext = TypeVar("_Ext", bound=x509.ExtensionType)


class SigningIdentityError(InputError):
    """The signing identity is missing, unreadable or unfit for C2PA."""


@dataclass(frozen=True)
class SigningIdentity:
    folder: Path
    chain_pem: bytes  # end-entity first, no root
    key_pem: bytes = field(repr=False)
    algorithm: str  # the c2pa name: es256, es384, es512, ps256, ed25519
    trust_anchors: bytes | None  # PEM roots that verify this chain, when known
    subject: str
    issuer: str
    not_after: dt.datetime


def identity_folder(state_dir: Path) -> Path:
    """Where a project (its `.shotline/` folder) keeps its signing identity."""
    return state_dir / SIGNING_DIR


def ensure_identity(state_dir: Path, organisation: str) -> SigningIdentity:
    """The project's identity, made on first use."""
    folder = identity_folder(state_dir)
    if not (folder / SIGNER_CERT).exists() and not (folder / SIGNER_KEY).exists():
        return make_identity(folder, organisation)
    return load_identity(folder)


def make_identity(folder: Path, organisation: str) -> SigningIdentity:
    """A new local CA and a signing certificate it issued, written to folder."""
    if (folder / SIGNER_CERT).exists() or (folder / SIGNER_KEY).exists():
        raise SigningIdentityError("a signing identity is already there; remove "
                                   f"{SIGNER_CERT} and {SIGNER_KEY} to make a new one",
                                   source=str(folder))
    org = " ".join(organisation.split())[:_NAME_MAX] or "Shotline production"
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name(org, "Shotline CA")
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _CLOCK_SKEW)
        .not_valid_after(now + dt.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(org, "Shotline signer")).issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _CLOCK_SKEW)
        .not_valid_after(now + dt.timedelta(days=SIGNER_DAYS))
        # C2PA's certificate profile: an end entity, digitalSignature only, one of the
        # accepted EKUs, and key identifiers so a validator can build the chain.
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]),
                       critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise SigningIdentityError(f"cannot make the folder: {exc.strerror}",
                                   source=str(folder)) from None
    # Keys first: a crash leaves no certificate without its key.
    _write_private(folder / CA_KEY, _key_pem(ca_key))
    _write_private(folder / SIGNER_KEY, _key_pem(key))
    write_atomic(folder / CA_CERT, ca_cert.public_bytes(serialization.Encoding.PEM))
    write_atomic(folder / SIGNER_CERT, cert.public_bytes(serialization.Encoding.PEM))
    return load_identity(folder)


def load_identity(folder: Path) -> SigningIdentity:
    """The identity in folder, checked: the key matches the certificate, which can sign."""
    certs = _read_certs(folder / SIGNER_CERT)
    key = _read_key(folder / SIGNER_KEY)
    leaf = certs[0]
    source = str(folder / SIGNER_CERT)
    if _public_bytes(key.public_key()) != _public_bytes(leaf.public_key()):
        raise SigningIdentityError(f"{SIGNER_KEY} is not the key of this certificate",
                                   source=source)
    algorithm = _algorithm(key, source)
    _check_leaf(leaf, source)
    # A root at the end of the chain is an anchor: C2PA chains leave it out.
    chain = list(certs)
    roots = []
    while len(chain) > 1 and _self_signed(chain[-1]):
        roots.append(chain.pop())
    anchors = _read_optional_anchors(folder / CA_CERT)
    if anchors is None and roots:
        anchors = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in roots)
    return SigningIdentity(
        folder=folder,
        chain_pem=b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain),
        key_pem=key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()),
        algorithm=algorithm,
        trust_anchors=anchors,
        subject=_common_name(leaf.subject),
        issuer=_common_name(leaf.issuer),
        not_after=leaf.not_valid_after_utc,
    )


def load_trust_anchors(folder: Path) -> bytes | None:
    """The PEM roots a verifier should trust (ca.pem), or None when there is none."""
    return _read_optional_anchors(folder / CA_CERT)


def _name(org: str, role: str) -> x509.Name:
    common = f"{org} {role}"
    if len(common) > _NAME_MAX:
        common = f"{org[:_NAME_MAX - len(role) - 1].rstrip()} {role}"
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
                      x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=cert_sign,
        crl_sign=cert_sign, encipher_only=False, decipher_only=False)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _write_private(path: Path, data: bytes) -> None:
    """Like write_atomic, but the file is 0600 from its first byte to the rename."""
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise SigningIdentityError(f"cannot write: {exc.strerror}", source=str(path)) from None
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, path)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise SigningIdentityError(f"cannot write: {exc.strerror or exc}",
                                   source=str(path)) from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise SigningIdentityError(
            "no signing identity here; `shotline init` makes one, or put your own "
            f"{SIGNER_CERT} (certificate chain) and {SIGNER_KEY} (its key) in this folder",
            source=str(path)) from None
    except OSError as exc:
        raise SigningIdentityError(f"cannot read: {exc.strerror}", source=str(path)) from None


def _read_certs(path: Path) -> list[x509.Certificate]:
    data = _read(path)
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError:
        raise SigningIdentityError("not a PEM certificate chain", source=str(path)) from None
    return certs


def _read_optional_anchors(path: Path) -> bytes | None:
    if not path.exists():
        return None
    data = _read(path)
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError:
        raise SigningIdentityError("not PEM certificates", source=str(path)) from None
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def _read_key(path: Path) -> PrivateKeyTypes:
    data = _read(path)
    try:
        return serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise SigningIdentityError("the key is encrypted; Shotline needs it unencrypted "
                                   "(keep the folder private instead)", source=str(path)) \
            from None
    except (ValueError, UnicodeError):
        raise SigningIdentityError("not a PEM private key", source=str(path)) from None


def _public_bytes(key: object) -> bytes:
    if not isinstance(key, ec.EllipticCurvePublicKey | rsa.RSAPublicKey
                      | ed25519.Ed25519PublicKey):
        return b""
    return key.public_bytes(serialization.Encoding.DER,
                            serialization.PublicFormat.SubjectPublicKeyInfo)


def _algorithm(key: PrivateKeyTypes, source: str) -> str:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        by_curve = {"secp256r1": "es256", "secp384r1": "es384", "secp521r1": "es512"}
        if key.curve.name in by_curve:
            return by_curve[key.curve.name]
    elif isinstance(key, ed25519.Ed25519PrivateKey):
        return "ed25519"
    elif isinstance(key, rsa.RSAPrivateKey) and key.key_size >= 2048:
        return "ps256"
    raise SigningIdentityError("C2PA signs with ECDSA P-256/384/521, Ed25519 or RSA of 2048 "
                               "bits or more; this key is none of them", source=source)


def _check_leaf(cert: x509.Certificate, source: str) -> None:
    """What C2PA validators refuse in a signing certificate, said before anything is signed."""
    now = dt.datetime.now(dt.UTC)
    if cert.not_valid_after_utc < now:
        raise SigningIdentityError(
            f"the signing certificate expired on {cert.not_valid_after_utc:%Y-%m-%d}",
            source=source)
    if cert.not_valid_before_utc > now:
        raise SigningIdentityError(
            f"the signing certificate is not valid before {cert.not_valid_before_utc:%Y-%m-%d}",
            source=source)
    basic = _extension(cert, x509.BasicConstraints)
    if basic is not None and basic.ca:
        raise SigningIdentityError("the signing certificate is a CA; C2PA needs an end-entity "
                                   "certificate", source=source)
    usage = _extension(cert, x509.KeyUsage)
    if usage is not None and (not usage.digital_signature or usage.key_cert_sign):
        raise SigningIdentityError("the signing certificate needs the digitalSignature key "
                                   "usage (and not keyCertSign)", source=source)
    ekus = _extension(cert, x509.ExtendedKeyUsage)
    if ekus is None or not {oid.dotted_string for oid in ekus} & _C2PA_EKUS:
        raise SigningIdentityError("the signing certificate needs an extended key usage C2PA "
                                   "accepts: emailProtection or documentSigning",
                                   source=source)


def _extension(cert: x509.Certificate, kind: type[_Ext]) -> _Ext | None:
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None


def _self_signed(cert: x509.Certificate) -> bool:
    if cert.issuer != cert.subject:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _common_name(name: x509.Name) -> str:
    for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME):
        values = name.get_attributes_for_oid(oid)
        if values:
            value = values[0].value
            return value if isinstance(value, str) else value.decode("utf-8", "replace")
    return name.rfc4514_string()
