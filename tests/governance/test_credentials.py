"""Content credentials: sign PNG, JPEG and MP4, read the claims back, catch any change."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from shotline import __version__
from shotline.errors import InputError
from shotline.governance.credentials import (
    SOURCE_TYPES,
    TRAINING_MINING_ENTRIES,
    Claim,
    CredentialsError,
    Ingredient,
    Verification,
    media_type_of,
    sign_asset,
    verify_asset,
)
from shotline.governance.signing import SigningIdentity, make_identity
from tests.governance import media

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
PNG, JPEG, MP4 = media.png(), media.jpeg(), media.mp4()
REFERENCE = media.png(32, 32, seed=3)


@pytest.fixture(scope="module")
def identity(tmp_path_factory: pytest.TempPathFactory) -> SigningIdentity:
    return make_identity(tmp_path_factory.mktemp("signing"), "Low Tide Films")


@pytest.fixture(scope="module")
def stranger(tmp_path_factory: pytest.TempPathFactory) -> SigningIdentity:
    return make_identity(tmp_path_factory.mktemp("other"), "Someone Else")


def board_claim(kind: str = "previs") -> Claim:
    return Claim(
        title="Board 12B", kind=kind,  # type: ignore[arg-type]
        provider="local", model="skia-previs", seed=1234, steps=0,
        prompt="INT. BOATHOUSE - NIGHT. Pip bails with a tin cup.",
        ingredients=(Ingredient("pip.png", "image/png", REFERENCE),),
        parameters=(("shot", "12B"), ("lens_mm", 35)))


@pytest.fixture(scope="module")
def signed(identity: SigningIdentity) -> dict[str, bytes]:
    """One signed asset per media type, made once for the module."""
    return {
        "image/png": sign_asset(PNG, "image/png", board_claim("previs"), identity),
        "image/jpeg": sign_asset(JPEG, "image/jpeg", board_claim("generated"), identity),
        "video/mp4": sign_asset(MP4, "video/mp4", Claim(
            "Animatic", "composite",
            ingredients=(Ingredient("scene 1", "image/png", PNG),
                         Ingredient("scene 2", "video/mp4", MP4))), identity),
    }


def check(data: bytes, media_type: str, identity: SigningIdentity) -> Verification:
    return verify_asset(data, media_type, identity.trust_anchors)


@pytest.mark.parametrize(("media_type", "kind"), [
    ("image/png", "previs"), ("image/jpeg", "generated"), ("video/mp4", "composite")])
def test_signed_assets_verify_with_the_projects_ca(
        signed: dict[str, bytes], identity: SigningIdentity, media_type: str,
        kind: str) -> None:
    result = check(signed[media_type], media_type, identity)
    assert result.has_manifest and result.valid and result.trusted, result.problems
    assert result.state == "trusted" and result.problems == ()
    assert result.digital_source_type == SOURCE_TYPES[kind]
    assert result.software_agent == result.claim_generator == f"Shotline {__version__}"
    assert result.signer == "Low Tide Films Shotline signer"
    assert result.actions[0] == "c2pa.created"
    assert dict(result.training_mining) == dict.fromkeys(TRAINING_MINING_ENTRIES, "notAllowed")


def test_the_iptc_source_types_are_the_current_terms() -> None:
    assert SOURCE_TYPES == {"previs": IPTC + "algorithmicMedia",
                            "generated": IPTC + "trainedAlgorithmicMedia",
                            "composite": IPTC + "composite"}


def test_a_board_carries_its_recipe(signed: dict[str, bytes],
                                    identity: SigningIdentity) -> None:
    result = check(signed["image/png"], "image/png", identity)
    assert result.title == "Board 12B"
    assert result.ingredients == ("prompt", "pip.png")
    assert result.prompts == ("INT. BOATHOUSE - NIGHT. Pip bails with a tin cup.",)
    assert result.actions == ("c2pa.created",)


def test_an_animatic_places_its_scenes(signed: dict[str, bytes],
                                       identity: SigningIdentity) -> None:
    result = check(signed["video/mp4"], "video/mp4", identity)
    assert result.ingredients == ("scene 1", "scene 2")
    assert result.actions == ("c2pa.created", "c2pa.placed", "c2pa.placed")
    assert result.prompts == ()


def test_signing_keeps_the_picture(signed: dict[str, bytes]) -> None:
    before = Image.open(io.BytesIO(PNG)).convert("RGB").tobytes()
    after = Image.open(io.BytesIO(signed["image/png"])).convert("RGB").tobytes()
    assert before == after


def _flip(data: bytes, at: int) -> bytes:
    changed = bytearray(data)
    changed[at] ^= 0x01
    return bytes(changed)


def test_one_changed_byte_in_the_png_pixels_is_caught(
        signed: dict[str, bytes], identity: SigningIdentity) -> None:
    data = signed["image/png"]
    at = data.index(b"IDAT") + 12  # inside the compressed pixels
    result = check(_flip(data, at), "image/png", identity)
    assert result.has_manifest and not result.valid and not result.trusted
    assert "assertion.dataHash.mismatch" in {p.code for p in result.problems}


def test_one_changed_byte_in_the_mp4_media_data_is_caught(
        signed: dict[str, bytes], identity: SigningIdentity) -> None:
    data = signed["video/mp4"]
    result = check(_flip(data, media.mdat_payload(data)), "video/mp4", identity)
    assert not result.valid and result.state == "invalid"
    assert "assertion.bmffHash.mismatch" in {p.code for p in result.problems}


def test_one_changed_byte_in_the_jpeg_is_caught(signed: dict[str, bytes],
                                                identity: SigningIdentity) -> None:
    data = signed["image/jpeg"]
    result = check(_flip(data, len(data) - 40), "image/jpeg", identity)
    assert not result.valid


def test_a_changed_manifest_is_invalid_not_an_error(signed: dict[str, bytes],
                                                    identity: SigningIdentity) -> None:
    data = signed["image/png"]
    manifest = data.index(b"caBX")
    for offset in (60, 300, 900):
        result = check(_flip(data, manifest + offset), "image/png", identity)
        assert result.has_manifest and not result.valid, offset


@pytest.mark.parametrize("media_type", ["image/png", "image/jpeg", "video/mp4"])
def test_unsigned_files_have_no_manifest(media_type: str) -> None:
    data = {"image/png": PNG, "image/jpeg": JPEG, "video/mp4": MP4}[media_type]
    result = verify_asset(data, media_type)
    assert not result.has_manifest and not result.valid and result.state == "absent"
    assert result.to_dict()["training_mining"] == {}


def test_another_cas_signature_is_intact_but_not_trusted(
        stranger: SigningIdentity, identity: SigningIdentity) -> None:
    data = sign_asset(PNG, "image/png", board_claim(), stranger)
    result = check(data, "image/png", identity)
    assert result.valid and not result.trusted and result.state == "valid"
    assert "signingCredential.untrusted" in {p.code for p in result.problems}
    assert verify_asset(data, "image/png", stranger.trust_anchors).trusted


def test_without_anchors_nothing_is_trusted(signed: dict[str, bytes]) -> None:
    result = verify_asset(signed["image/png"], "image/png")
    assert result.valid and not result.trusted


def test_to_dict_is_plain_json(signed: dict[str, bytes], identity: SigningIdentity) -> None:
    found = check(signed["image/png"], "image/png", identity).to_dict()
    assert json.loads(json.dumps(found)) == found
    assert found["state"] == "trusted" and found["problems"] == []
    assert found["training_mining"]["cawg.ai_generative_training"] == "notAllowed"


def test_signed_twice_keeps_the_latest_claim(signed: dict[str, bytes],
                                             identity: SigningIdentity) -> None:
    again = sign_asset(signed["image/png"], "image/png",
                       Claim("Board 12B v2", "generated"), identity)
    result = check(again, "image/png", identity)
    assert result.trusted and result.title == "Board 12B v2"


@pytest.mark.parametrize("media_type", ["image/gif", "application/pdf", ""])
def test_unsupported_media_types_are_refused(identity: SigningIdentity,
                                             media_type: str) -> None:
    with pytest.raises(CredentialsError, match="unsupported media type"):
        sign_asset(PNG, media_type, board_claim(), identity)
    with pytest.raises(CredentialsError, match="unsupported media type"):
        verify_asset(PNG, media_type)


@pytest.mark.parametrize("data", [b"", b"not an image", JPEG, PNG[:60]],
                         ids=["empty", "text", "jpeg", "truncated"])
def test_corrupt_input_is_an_input_error(identity: SigningIdentity, data: bytes) -> None:
    with pytest.raises(InputError, match="corrupt image/png"):
        sign_asset(data, "image/png", board_claim(), identity)
    with pytest.raises(InputError, match="corrupt image/png"):
        verify_asset(data, "image/png")


def test_bad_claims_are_refused() -> None:
    with pytest.raises(CredentialsError, match="unknown kind"):
        Claim("x", "painted")  # type: ignore[arg-type]
    with pytest.raises(CredentialsError, match="unsupported media type"):
        Claim("x", "previs", ingredients=(Ingredient("a.gif", "image/gif", b"GIF89a"),))
    with pytest.raises(CredentialsError, match="set by the claim"):
        Claim("x", "previs", parameters=(("ingredientIds", "a"),))


def test_bad_trust_anchors_are_an_input_error(signed: dict[str, bytes]) -> None:
    with pytest.raises(CredentialsError, match="trust anchors"):
        verify_asset(signed["image/png"], "image/png", b"not pem")


def test_media_type_of_reads_magic_then_extension() -> None:
    assert media_type_of(PNG) == "image/png"
    assert media_type_of(JPEG, "x.png") == "image/jpeg"
    assert media_type_of(MP4) == "video/mp4"
    assert media_type_of(b"", Path("cut.MP4")) == "video/mp4"
    with pytest.raises(CredentialsError):
        media_type_of(b"hello", "notes.txt")


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=st.text(min_size=1, max_size=60), prompt=st.text(max_size=200),
       seed=st.integers(min_value=0, max_value=2**63 - 1),
       ingredient=st.text(min_size=1, max_size=30))
def test_any_title_and_prompt_round_trip(identity: SigningIdentity, title: str, prompt: str,
                                         seed: int, ingredient: str) -> None:
    claim = Claim(title, "generated", seed=seed, prompt=prompt,
                  ingredients=(Ingredient(ingredient, "image/png", REFERENCE),))
    result = check(sign_asset(PNG, "image/png", claim, identity), "image/png", identity)
    assert result.trusted, result.problems
    assert result.title == title
    assert result.prompts == (prompt,)
    assert result.ingredients == ("prompt", ingredient)
