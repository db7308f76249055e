"""The Bedrock adapter against local servers speaking Bedrock's and S3's wire formats,
with every request's SigV4 signature recomputed here, independently of botocore."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import re
import sys
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from shotline.governance.terms import DataUseTerms
from shotline.providers.bedrock_api import (
    BEDROCK,
    CANVAS,
    CANVAS_SEED_MAX,
    DEFAULT_REGION,
    REEL,
    TERMS,
    BedrockClient,
    client_token,
    snap_size,
    valid_canvas_size,
)
from shotline.providers.protocols import (
    ImageProvider,
    ProviderConfig,
    ProviderError,
    TextProvider,
    VideoProvider,
)
from shotline.providers.registry import discover
from shotline.providers.types import (
    IMAGE,
    IMAGE_CONTROL_DEPTH,
    IMAGE_CONTROL_POSE,
    IMAGE_EDIT,
    IMAGE_REFERENCE,
    TEXT_STRUCTURED,
    VIDEO,
    ImageRequest,
    Message,
    TextRequest,
    VideoJob,
    VideoRequest,
)
from tests.providers.fakeserver import Reply, Seen, serving

KEY_ID = "AKIDEXAMPLE12345"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLEsessiontoken"
NOVA = "amazon.nova-pro-v1:0"
ARN = "arn:aws:bedrock:us-east-1:123456789012:async-invoke/q2w3e4r5t6y7"
BUCKET = "shots-bucket"
THROTTLED = {"x-amzn-ErrorType":
             "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/"}


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (40, 80, 120)).save(out, "PNG")
    return out.getvalue()


MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
FRAME = png(1280, 720)


def config(url: str, s3_url: str = "", token: bool = True, **kw: Any) -> ProviderConfig:
    secrets = {"AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET}
    if token:
        secrets["AWS_SESSION_TOKEN"] = TOKEN
    options: dict[str, Any] = {"s3_output": f"s3://{BUCKET}/reel"}
    if s3_url:
        options["s3_endpoint"] = s3_url
    base: dict[str, Any] = dict(name="bedrock", endpoint=url, secrets=secrets, retries=2,
                                backoff_s=0.01, timeout_s=1, poll_s=0.01, region="us-east-1",
                                options=options)
    base.update(kw)
    return ProviderConfig(**base)


def connect(url: str, waits: list[float] | None = None, **kw: Any) -> BedrockClient:
    sleep = waits.append if waits is not None else (lambda s: None)
    return BEDROCK.connect(config(url, **kw), sleep=sleep)


# -- SigV4, recomputed from the specification -------------------------------------------

_AUTH = re.compile(r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/"
                   r"(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request, "
                   r"SignedHeaders=(?P<signed>[a-z0-9;-]+), Signature=(?P<sig>[0-9a-f]{64})$")


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def check_signature(seen: Seen, service: str, secret: str = SECRET) -> dict[str, str]:
    """Recompute the request's signature as AWS does and compare; returns the parts."""
    found = _AUTH.match(seen.headers["authorization"])
    assert found, seen.headers["authorization"]
    parts = found.groupdict()
    signed = parts["signed"].split(";")
    assert {"host", "x-amz-date"} <= set(signed) and signed == sorted(signed)
    amz_date = seen.headers["x-amz-date"]
    assert amz_date[:8] == parts["date"] == datetime.now(UTC).strftime("%Y%m%d")
    # S3 signs the path as sent; every other service signs it encoded once more.
    uri = seen.path if service == "s3" else quote(seen.path, safe="/~")
    headers = "".join(f"{name}:{' '.join(seen.headers[name].split())}\n" for name in signed)
    payload = hashlib.sha256(seen.body).hexdigest()
    if service == "s3":
        assert seen.headers["x-amz-content-sha256"] == payload
    canonical = "\n".join([seen.method, uri, "", headers, parts["signed"], payload])
    scope = f"{parts['date']}/{parts['region']}/{service}/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    key = _hmac(("AWS4" + secret).encode(), parts["date"])
    for part in (parts["region"], service, "aws4_request"):
        key = _hmac(key, part)
    assert hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest() == parts["sig"]
    return parts


def converse(content: list[dict[str, Any]], stop: str = "end_turn",
             usage: tuple[int, int] = (200, 50)) -> Reply:
    return Reply(200, {"output": {"message": {"role": "assistant", "content": content}},
                       "stopReason": stop,
                       "usage": {"inputTokens": usage[0], "outputTokens": usage[1],
                                 "totalTokens": sum(usage)},
                       "metrics": {"latencyMs": 321}},
                 headers={"x-amzn-RequestId": "5f1c-request"})


def bedrock_error(status: int, kind: str, text: str) -> Reply:
    return Reply(status, {"message": text},
                 headers={"x-amzn-ErrorType": f"{kind}:http://internal.amazon.com/coral/"})


def ask(schema: dict[str, Any] | None = None, model: str = NOVA) -> TextRequest:
    return TextRequest(model=model, messages=(
        Message("system", "You break screenplays into shots."),
        Message("user", "INT. KITCHEN - NIGHT."), Message("user", "Mara opens the fridge.")),
        schema=schema, max_tokens=400, temperature=0.2)


# -- declarations ------------------------------------------------------------------------

def test_plugin_declares_models_terms_and_is_discovered() -> None:
    plugins, _ = discover()
    assert plugins["bedrock"] is BEDROCK
    info = BEDROCK.info
    assert info.credentials == ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                "AWS_SESSION_TOKEN")
    assert info.model(NOVA).capabilities >= {TEXT_STRUCTURED}
    canvas = info.model(CANVAS).capabilities
    assert canvas == {IMAGE, IMAGE_EDIT}
    assert not canvas & {IMAGE_CONTROL_DEPTH, IMAGE_CONTROL_POSE, IMAGE_REFERENCE}
    assert info.model(REEL).capabilities == {VIDEO}
    assert info.model(REEL).cost.per_video_second == 0.08
    for model in info.models:
        assert model.terms.unknown() == []
    assert TERMS.zero_data_retention and TERMS.retention_days == 0
    assert not TERMS.trains_on_inputs and not TERMS.human_review


def test_terms_follow_the_configured_region() -> None:
    assert BEDROCK.terms_for(config("http://x", region="eu-west-1"), TERMS).regions == (
        "eu-west-1",)
    assert BEDROCK.terms_for(config("http://x", region=""), TERMS).regions == (
        DEFAULT_REGION,)
    own = DataUseTerms(regions=("eu",))
    assert BEDROCK.terms_for(config("http://x"), own) is own


def test_the_endpoint_comes_from_the_region(no_network: list[Any]) -> None:
    client = BEDROCK.connect(config("", region="eu-central-1"))
    assert client.runtime.config.endpoint == "https://bedrock-runtime.eu-central-1.amazonaws.com"
    assert client.storage is not None
    assert client.storage.config.endpoint == f"https://{BUCKET}.s3.eu-central-1.amazonaws.com"
    assert no_network == []


def test_without_botocore_connect_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "botocore.credentials", None)
    with pytest.raises(ProviderError, match=r"pip install 'shotline\[bedrock\]'"):
        BEDROCK.connect(config("http://127.0.0.1:9"))


def test_missing_credentials_are_named() -> None:
    with pytest.raises(ProviderError, match="AWS_SECRET_ACCESS_KEY"):
        BEDROCK.connect(ProviderConfig(name="bedrock",
                                       secrets={"AWS_ACCESS_KEY_ID": KEY_ID}))


# -- text: Converse ----------------------------------------------------------------------

def test_converse_text_request_is_signed_and_shaped() -> None:
    with serving(lambda seen: converse([{"text": "Two shots."}])) as svc:
        client = connect(svc.url)
        assert isinstance(client, TextProvider)
        result = client.complete(ask())
    seen = svc.seen[0]
    assert (seen.method, seen.path) == ("POST", "/model/amazon.nova-pro-v1%3A0/converse")
    parts = check_signature(seen, "bedrock")
    assert (parts["key"], parts["region"], parts["service"]) == (KEY_ID, "us-east-1",
                                                                  "bedrock")
    assert seen.headers["authorization"].startswith(
        f"AWS4-HMAC-SHA256 Credential={KEY_ID}/{parts['date']}/us-east-1/bedrock/aws4_request")
    assert seen.headers["x-amz-security-token"] == TOKEN
    assert "x-amz-security-token" in parts["signed"].split(";")
    assert seen.json() == {
        "messages": [{"role": "user", "content": [{"text": "INT. KITCHEN - NIGHT."},
                                                  {"text": "Mara opens the fridge."}]}],
        "system": [{"text": "You break screenplays into shots."}],
        "inferenceConfig": {"maxTokens": 400, "temperature": 0.2}}
    assert result.text == "Two shots." and result.request_id == "5f1c-request"
    assert (result.usage.input_tokens, result.usage.output_tokens) == (200, 50)
    assert result.cost_usd == pytest.approx(200 * 0.0008 / 1000 + 50 * 0.0032 / 1000)


def test_converse_without_a_session_token_signs_without_one() -> None:
    with serving(lambda seen: converse([{"text": "ok"}])) as svc:
        connect(svc.url, token=False).complete(ask())
    assert "x-amz-security-token" not in svc.seen[0].headers
    check_signature(svc.seen[0], "bedrock")


def test_converse_structured_answer_through_a_forced_tool() -> None:
    schema = {"type": "object", "properties": {"shots": {"type": "integer"}},
              "required": ["shots"]}
    with serving(lambda seen: converse(
            [{"toolUse": {"toolUseId": "tooluse_1", "name": "answer",
                          "input": {"shots": 2}}}], stop="tool_use")) as svc:
        result = connect(svc.url).complete(ask(schema))
    tool = svc.seen[0].json()["toolConfig"]
    assert tool["tools"][0]["toolSpec"]["name"] == "answer"
    assert tool["tools"][0]["toolSpec"]["inputSchema"] == {"json": schema}
    assert tool["toolChoice"] == {"tool": {"name": "answer"}}
    assert result.data == {"shots": 2}


def test_converse_tool_not_called_is_an_error() -> None:
    reply = converse([{"text": "Sure"}], stop="max_tokens")
    with (serving(lambda seen: reply) as svc,
          pytest.raises(ProviderError, match="did not call the answer tool")):
        connect(svc.url).complete(ask({"type": "object", "properties": {}}))


def test_throttling_and_unavailable_are_retried_with_fresh_signatures() -> None:
    replies = iter([bedrock_error(429, "ThrottlingException", "Too many requests"),
                    bedrock_error(503, "ServiceUnavailableException", "Service unavailable"),
                    converse([{"text": "ok"}])])
    waits: list[float] = []
    with serving(lambda seen: next(replies)) as svc:
        result = connect(svc.url, waits).complete(ask())
    assert result.text == "ok" and len(svc.seen) == 3
    assert len(waits) == 2 and 0.01 <= waits[0] <= 0.015 and 0.02 <= waits[1] <= 0.03
    for seen in svc.seen:
        check_signature(seen, "bedrock")


def test_validation_errors_are_not_retried() -> None:
    reply = bedrock_error(400, "ValidationException", "Malformed input request")
    with (serving(lambda seen: reply) as svc,
          pytest.raises(ProviderError, match="Malformed input request") as caught):
        connect(svc.url, []).complete(ask())
    assert len(svc.seen) == 1 and caught.value.status == 400


@pytest.mark.parametrize("kind", ["AccessDeniedException", "UnrecognizedClientException"])
def test_refused_credentials_are_explained_without_secrets(kind: str) -> None:
    # Even a server that echoes the credentials back must not get them into the message.
    def echo(seen: Seen) -> Reply:
        return bedrock_error(403, kind, f"not authorized: {seen.headers['authorization']} "
                             f"{seen.headers['x-amz-security-token']} {SECRET}")

    with serving(echo) as svc, pytest.raises(ProviderError) as caught:
        connect(svc.url, []).complete(ask())
    text = str(caught.value)
    assert "AWS_ACCESS_KEY_ID" in text and "403" in text
    for secret in (SECRET, TOKEN, KEY_ID):
        assert secret not in text
    assert len(svc.seen) == 1


def test_no_answer_in_time_is_a_timeout() -> None:
    slow = Reply(200, {}, delay_s=1.0)
    with serving(lambda seen: slow) as svc, pytest.raises(ProviderError, match="no answer within"):
        connect(svc.url, [], timeout_s=0.2, retries=0).complete(ask())


# -- images: Nova Canvas -----------------------------------------------------------------

def canvas_reply(*images: bytes) -> Reply:
    return Reply(200, {"images": [base64.b64encode(i).decode() for i in images],
                       "error": None})


def test_canvas_text_to_image_snaps_the_size_and_decodes_the_images() -> None:
    made = (png(1920, 1088), png(1920, 1088))
    with serving(lambda seen: canvas_reply(*made)) as svc:
        client = connect(svc.url)
        assert isinstance(client, ImageProvider)
        result = client.generate(ImageRequest(
            model=CANVAS, prompt="a kitchen at night", width=1920, height=1080,
            seed=2**40 + 7, negative_prompt="text, watermark", count=2))
    seen = svc.seen[0]
    assert seen.path == "/model/amazon.nova-canvas-v1%3A0/invoke"
    check_signature(seen, "bedrock")
    body = seen.json()
    assert body["taskType"] == "TEXT_IMAGE"
    assert body["textToImageParams"] == {"text": "a kitchen at night",
                                         "negativeText": "text, watermark"}
    config = body["imageGenerationConfig"]
    assert (config["width"], config["height"]) == (1920, 1088)
    assert config["numberOfImages"] == 2 and config["quality"] == "standard"
    assert config["seed"] == (2**40 + 7) % (CANVAS_SEED_MAX + 1) == result.seed
    assert result.images == made
    assert result.cost_usd == pytest.approx(0.12)  # two images above 1024x1024


def test_canvas_init_image_becomes_a_variation() -> None:
    init = png(512, 512)
    with serving(lambda seen: canvas_reply(png(512, 512))) as svc:
        result = connect(svc.url).generate(ImageRequest(
            model=CANVAS, prompt="same room, dawn", width=512, height=512, init_image=init,
            strength=0.5, seed=11))
    body = svc.seen[0].json()
    assert body["taskType"] == "IMAGE_VARIATION"
    params = body["imageVariationParams"]
    assert base64.b64decode(params["images"][0]) == init
    assert params["text"] == "same room, dawn" and params["similarityStrength"] == 0.6
    assert result.cost_usd == pytest.approx(0.04)


@pytest.mark.parametrize("change", [{"control": {"depth": b"\x89PNG\r\n\x1a\n"}},
                                    {"references": (b"\x89PNG\r\n\x1a\n",)},
                                    {"count": 6}])
def test_canvas_refuses_what_it_cannot_do(change: dict[str, Any],
                                          no_network: list[Any]) -> None:
    client = BEDROCK.connect(config("http://127.0.0.1:9"))
    with pytest.raises(ProviderError):
        client.generate(ImageRequest(model=CANVAS, prompt="x", width=512, height=512,
                                     **change))
    assert no_network == []


@pytest.mark.parametrize("reply", [
    Reply(200, {"images": [], "error": "This request has been blocked by content filters."}),
    Reply(200, {"images": ["not base64!"]}),
    Reply(200, {"images": [base64.b64encode(b"GIF89a").decode()]})])
def test_canvas_bad_answers_are_errors(reply: Reply) -> None:
    with serving(lambda seen: reply) as svc, pytest.raises(ProviderError):
        connect(svc.url).generate(ImageRequest(model=CANVAS, prompt="x", width=512,
                                               height=512))


@given(st.integers(1, 10_000), st.integers(1, 10_000))
def test_snapped_sizes_are_always_valid_and_valid_ones_stay(width: int, height: int) -> None:
    w, h = snap_size(width, height)
    assert valid_canvas_size(w, h)
    assert snap_size(w, h) == (w, h)
    if valid_canvas_size(width, height):
        assert (w, h) == (width, height)


# -- video: Nova Reel --------------------------------------------------------------------

def reel_server(states: list[dict[str, Any]], submits: list[Reply] | None = None) -> Any:
    submit_replies = iter(submits or [])
    status_replies = iter(states)

    def handler(seen: Seen) -> Reply:
        if seen.method == "POST" and seen.path == "/async-invoke":
            return next(submit_replies, Reply(200, {"invocationArn": ARN}))
        if seen.method == "GET" and seen.path == "/async-invoke/" + quote(ARN, safe=""):
            return Reply(200, {"invocationArn": ARN, "modelArn": "arn:aws:bedrock:us-east-1"
                               "::foundation-model/amazon.nova-reel-v1:0",
                               "submitTime": "2026-11-21T10:00:00Z", **next(status_replies)})
        return Reply(404, {"message": f"no route {seen.path}"})

    return serving(handler)


DONE: dict[str, Any] = {"status": "Completed", "outputDataConfig": {"s3OutputDataConfig": {
    "s3Uri": f"s3://{BUCKET}/reel/q2w3e4r5t6y7"}}}


def test_reel_job_lifecycle_submit_poll_fetch() -> None:
    waits: list[float] = []
    states: list[dict[str, Any]] = [{"status": "InProgress"}, DONE, DONE]
    submits = [bedrock_error(503, "ServiceUnavailableException", "try again")]
    with reel_server(states, submits) as svc, serving(
            lambda seen: Reply(200, MP4, {"Content-Type": "video/mp4"})) as s3:
        client = connect(svc.url, waits, s3_url=s3.url)
        assert isinstance(client, VideoProvider)
        request = VideoRequest(model=REEL, prompt="slow push in on the fridge", image=FRAME,
                               seed=5, idempotency_key="take-0042")
        job = client.submit(request)
        assert job == VideoJob(ARN, "queued")
        assert client.poll(job).status == "running"
        assert client.poll(job).status == "done"
        video = client.fetch(job)
    first, second = svc.seen[0], svc.seen[1]
    assert first.body == second.body and len(waits) == 1  # the retried submit
    body = first.json()
    assert body["clientRequestToken"] == "take-0042"
    assert body["modelId"] == REEL
    assert body["outputDataConfig"] == {"s3OutputDataConfig": {"s3Uri": f"s3://{BUCKET}/reel"}}
    model_input = body["modelInput"]
    assert model_input["taskType"] == "TEXT_VIDEO"
    params = model_input["textToVideoParams"]
    assert params["text"] == "slow push in on the fridge"
    assert params["images"][0]["format"] == "png"
    assert base64.b64decode(params["images"][0]["source"]["bytes"]) == FRAME
    assert model_input["videoGenerationConfig"] == {"durationSeconds": 6, "fps": 24,
                                                    "dimension": "1280x720", "seed": 5}
    for seen in svc.seen:
        check_signature(seen, "bedrock")
    assert svc.seen[2].path == "/async-invoke/" + quote(ARN, safe="")
    fetched = s3.seen[0]
    assert (fetched.method, fetched.path) == ("GET", f"/{BUCKET}/reel/q2w3e4r5t6y7/output.mp4")
    parts = check_signature(fetched, "s3")
    assert parts["service"] == "s3" and parts["region"] == "us-east-1"
    assert video.data == MP4 and video.cost_usd == pytest.approx(0.48)


def test_reel_failed_job_reports_the_failure_message() -> None:
    failed: dict[str, Any] = {"status": "Failed",
                              "failureMessage": "The input image violates policy."}
    with reel_server([failed, failed]) as svc:
        client = connect(svc.url)
        job = client.submit(VideoRequest(model=REEL, prompt="x", image=FRAME))
        polled = client.poll(job)
        assert polled.status == "failed" and "violates policy" in polled.message
        with pytest.raises(ProviderError, match="violates policy"):
            client.fetch(job)


def test_reel_fetch_before_completion_is_a_retryable_error() -> None:
    with (reel_server([{"status": "InProgress"}]) as svc,
          pytest.raises(ProviderError, match="not finished") as caught):
        connect(svc.url).fetch(VideoJob(ARN, "running"))
    assert caught.value.retryable


def test_reel_needs_an_s3_output(no_network: list[Any]) -> None:
    client = BEDROCK.connect(config("http://127.0.0.1:9", options={}))
    with pytest.raises(ProviderError, match="s3_output"):
        client.submit(VideoRequest(model=REEL, prompt="x", image=FRAME))
    assert no_network == []


@pytest.mark.parametrize("change", [{"image": png(640, 360)}, {"seconds": 12.0},
                                    {"image": b"GIF89a...."}])
def test_reel_refuses_what_it_cannot_make(change: dict[str, Any],
                                          no_network: list[Any]) -> None:
    request: dict[str, Any] = {"model": REEL, "prompt": "x", "image": FRAME, **change}
    with pytest.raises(ProviderError):
        BEDROCK.connect(config("http://127.0.0.1:9")).submit(VideoRequest(**request))
    assert no_network == []


def test_client_tokens_are_stable_and_valid() -> None:
    assert client_token("take-0042") == "take-0042"
    odd = client_token("shot 12/take 3")
    assert odd == client_token("shot 12/take 3") and re.fullmatch(r"[0-9a-f]{64}", odd)
    assert client_token(None) != client_token(None)


def test_the_signature_check_catches_a_wrong_key() -> None:
    with serving(lambda seen: converse([{"text": "ok"}])) as svc:
        connect(svc.url).complete(ask())
    check_signature(svc.seen[0], "bedrock")
    with pytest.raises(AssertionError):
        check_signature(svc.seen[0], "bedrock", secret=SECRET + "x")
    tampered = Seen(svc.seen[0].method, svc.seen[0].path, {}, svc.seen[0].headers,
                    svc.seen[0].body + b" ")
    with pytest.raises(AssertionError):
        check_signature(tampered, "bedrock")
