"""The OpenAI adapter against a local server speaking OpenAI's wire format."""

from __future__ import annotations

import base64
import io
import itertools
import json
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from shotline.providers.http import MAX_WAIT_S
from shotline.providers.openai_api import (
    ENV_KEY,
    IMAGE_SIZES,
    INFO,
    OPENAI,
    TERMS,
    OpenAIClient,
    OpenAIHttp,
    chat_body,
    nearest_size,
    parse_reset,
    ratelimit_wait,
)
from shotline.providers.protocols import (
    EmbeddingProvider,
    ImageProvider,
    ProviderConfig,
    ProviderError,
    ProviderPlugin,
    TextProvider,
)
from shotline.providers.registry import discover
from shotline.providers.types import (
    IMAGE_CONTROL_DEPTH,
    IMAGE_CONTROL_POSE,
    EmbeddingRequest,
    ImageRequest,
    Message,
    TextRequest,
)
from tests.providers.fakeserver import Reply, Seen, serving

KEY = "sk-test-0123456789abcdefSECRET"
SCHEMA = {"type": "object", "properties": {"mood": {"type": "string"}},
          "required": ["mood"], "additionalProperties": False}
TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=200)


def config(url: str, **kw: Any) -> ProviderConfig:
    values: dict[str, Any] = {"name": "openai", "endpoint": url + "/v1",
                              "secrets": {ENV_KEY: KEY}, "retries": 2, "backoff_s": 0.01,
                              "timeout_s": 1.0}
    values.update(kw)
    return ProviderConfig(**values)


def connect(url: str, waits: list[float] | None = None, **kw: Any) -> OpenAIClient:
    client = OPENAI.connect(config(url, **kw))
    client.http.sleep = (waits if waits is not None else []).append
    return client


def chat_reply(content: str | None, *, refusal: str | None = None, finish: str = "stop",
               model: str = "gpt-4o-2024-08-06", prompt: int = 1000,
               completion: int = 500) -> Reply:
    return Reply(200, {
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": model,
        "choices": [{"index": 0, "finish_reason": finish, "logprobs": None,
                     "message": {"role": "assistant", "content": content,
                                 "refusal": refusal}}],
        "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                  "total_tokens": prompt + completion},
    }, headers={"x-request-id": "req_abc"})


def error_reply(status: int, message: str, *, kind: str = "invalid_request_error",
                code: str | None = None, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, {"error": {"message": message, "type": kind, "param": None,
                                    "code": code}}, headers=headers or {})


def replies(*answers: Reply) -> Any:
    """A handler answering in turn, the last answer repeated."""
    it = itertools.chain(answers, itertools.repeat(answers[-1]))
    return lambda seen: next(it)


def ask(schema: dict[str, Any] | None = None, **kw: Any) -> TextRequest:
    values: dict[str, Any] = {
        "model": "gpt-4o", "schema": schema, "idempotency_key": "idem-1",
        "messages": (Message("system", "You plan shots."), Message("user", "Mood?"))}
    values.update(kw)
    return TextRequest(**values)


def png(size: tuple[int, int] = (4, 3), colour: str = "red", fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, fmt)
    return out.getvalue()


def image_reply(*images: bytes, usage: dict[str, Any] | None = None) -> Reply:
    body: dict[str, Any] = {"created": 1, "data": [
        {"b64_json": base64.b64encode(i).decode()} for i in images]}
    if usage is not None:
        body["usage"] = usage
    return Reply(200, body, headers={"x-request-id": "req_img"})


def form_parts(seen: Seen) -> list[tuple[dict[str, str], bytes]]:
    """The parts of a multipart/form-data body: (headers in lower case, data)."""
    content_type = seen.headers["content-type"]
    assert content_type.startswith("multipart/form-data; boundary=")
    boundary = content_type.split("boundary=", 1)[1].encode()
    chunks = seen.body.split(b"--" + boundary)
    assert chunks[0] == b"" and chunks[-1] == b"--\r\n"
    parts = []
    for chunk in chunks[1:-1]:
        head, _, data = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        headers = dict(line.split(": ", 1) for line in head.decode().split("\r\n"))
        parts.append(({k.lower(): v for k, v in headers.items()}, data.removesuffix(b"\r\n")))
    return parts


def field_name(headers: dict[str, str]) -> str:
    return headers["content-disposition"].split('name="', 1)[1].split('"', 1)[0]


# --- declarations ---------------------------------------------------------------------------

def test_entry_point_finds_openai() -> None:
    plugins, broken = discover()
    assert "openai" not in {b.name for b in broken}
    plugin = plugins["openai"]
    assert plugin.info is INFO
    assert plugin.info.where == "remote"
    assert plugin.info.credentials == (ENV_KEY,)
    assert plugin.info.default_endpoint == "https://api.openai.com/v1"


def test_declared_models_and_terms() -> None:
    chat = INFO.model("gpt-4o")
    assert {"text", "text.structured"} == chat.capabilities
    assert chat.cost.per_1k_input_tokens > 0 and chat.cost.per_1k_output_tokens > 0
    image = INFO.model("gpt-image-1")
    assert image.capabilities == {"image", "image.edit", "image.reference"}
    assert IMAGE_CONTROL_DEPTH not in image.capabilities
    assert IMAGE_CONTROL_POSE not in image.capabilities
    assert image.sizes == ((1024, 1024), (1536, 1024), (1024, 1536))
    assert image.cost.per_image > 0
    assert "embedding" in INFO.model("text-embedding-3-small").capabilities
    assert TERMS.unknown() == []
    assert TERMS.trains_on_inputs is False and TERMS.zero_data_retention is False
    assert TERMS.retention_days == 30 and TERMS.human_review is True


def test_connect_opens_no_connection(no_network: list[Any]) -> None:
    plugin: ProviderPlugin = OPENAI
    client = plugin.connect(ProviderConfig(name="openai", secrets={ENV_KEY: KEY}))
    assert isinstance(client, OpenAIClient)
    assert isinstance(client, TextProvider) and isinstance(client, ImageProvider)
    assert isinstance(client, EmbeddingProvider)
    assert client.http.config.endpoint == "https://api.openai.com/v1"
    assert no_network == []


def test_connect_without_key_names_the_variable() -> None:
    with pytest.raises(ProviderError, match=ENV_KEY):
        OPENAI.connect(ProviderConfig(name="openai"))


def test_connect_rejects_unknown_image_quality() -> None:
    with pytest.raises(ProviderError, match="image_quality"):
        OPENAI.connect(ProviderConfig(name="openai", secrets={ENV_KEY: KEY},
                                      options={"image_quality": "ultra"}))


def test_key_never_in_repr() -> None:
    client = OPENAI.connect(ProviderConfig(name="openai", secrets={ENV_KEY: KEY}))
    assert KEY not in repr(client)


# --- chat -----------------------------------------------------------------------------------

def test_chat_request_and_result() -> None:
    with serving(replies(chat_reply("Tense."))) as service:
        result = connect(service.url, options={"project": "proj_1"}).complete(
            ask(seed=7, max_tokens=300, temperature=0.4))
    [seen] = service.seen
    assert (seen.method, seen.path) == ("POST", "/v1/chat/completions")
    assert seen.headers["authorization"] == f"Bearer {KEY}"
    assert seen.headers["idempotency-key"] == "idem-1"
    assert seen.headers["openai-project"] == "proj_1"
    assert seen.json() == {
        "model": "gpt-4o", "max_completion_tokens": 300, "temperature": 0.4, "seed": 7,
        "store": False, "messages": [{"role": "system", "content": "You plan shots."},
                                     {"role": "user", "content": "Mood?"}]}
    assert result.text == "Tense." and result.data is None
    assert (result.usage.input_tokens, result.usage.output_tokens) == (1000, 500)
    assert result.cost_usd == pytest.approx(0.0025 + 0.005)
    assert result.model_version == "gpt-4o-2024-08-06"
    assert result.request_id == "req_abc"


def test_structured_answer_is_parsed() -> None:
    with serving(replies(chat_reply('{"mood": "tense"}'))) as service:
        result = connect(service.url).complete(ask(SCHEMA, schema_name="shot mood!"))
    body = service.seen[0].json()
    assert body["response_format"] == {"type": "json_schema", "json_schema": {
        "name": "shot_mood_", "schema": SCHEMA, "strict": True}}
    assert result.data == {"mood": "tense"}


def test_refusal_is_an_error() -> None:
    with (serving(replies(chat_reply(None, refusal="I can't help with that."))) as service,
          pytest.raises(ProviderError, match="refused: I can't help")):
        connect(service.url).complete(ask(SCHEMA))


@pytest.mark.parametrize(("content", "finish", "match"), [
    ("not json", "stop", "not valid JSON"),
    ('{"mood": "te', "length", "cut off at max_tokens"),
    ('["tense"]', "stop", "not an object"),
    ('{"colour": "red"}', "stop", "lacks mood"),
])
def test_bad_structured_answers(content: str, finish: str, match: str) -> None:
    with (serving(replies(chat_reply(content, finish=finish))) as service,
          pytest.raises(ProviderError, match=match)):
        connect(service.url).complete(ask(SCHEMA))


def test_unauthorised_names_the_variable_and_hides_the_key() -> None:
    # OpenAI echoes (part of) the key it was given; the error must not carry it on.
    reply = error_reply(401, f"Incorrect API key provided: {KEY}.", code="invalid_api_key")
    with (serving(replies(reply)) as service,
          pytest.raises(ProviderError) as caught):
        connect(service.url).complete(ask())
    assert len(service.seen) == 1
    assert caught.value.status == 401
    assert ENV_KEY in str(caught.value)
    assert KEY not in str(caught.value)
    assert "SECRET" not in str(caught.value)


def test_rate_limit_waits_as_told_then_succeeds() -> None:
    waits: list[float] = []
    limited = error_reply(429, "Rate limit reached", kind="requests",
                          headers={"retry-after": "0.05"})
    with serving(replies(limited, chat_reply("ok"))) as service:
        result = connect(service.url, waits).complete(ask())
    assert result.text == "ok"
    assert waits == [0.05]
    keys = {s.headers["idempotency-key"] for s in service.seen}
    assert len(service.seen) == 2 and keys == {"idem-1"}


def test_rate_limit_reset_headers_are_honoured() -> None:
    waits: list[float] = []
    limited = error_reply(429, "Rate limit reached", kind="tokens", headers={
        "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "20ms",
        "x-ratelimit-remaining-tokens": "4000", "x-ratelimit-reset-tokens": "6m0s"})
    with serving(replies(limited, chat_reply("ok"))) as service:
        connect(service.url, waits).complete(ask())
    assert waits == [pytest.approx(0.02)]


def test_server_errors_are_retried_then_fail() -> None:
    waits: list[float] = []
    broken = error_reply(500, "The server had an error", kind="server_error")
    with (serving(replies(broken)) as service,
          pytest.raises(ProviderError, match="The server had an error") as caught):
        connect(service.url, waits).complete(ask())
    assert len(service.seen) == 3  # the first try and two retries
    assert len(waits) == 2
    assert caught.value.status == 500 and caught.value.retryable
    assert {s.headers["idempotency-key"] for s in service.seen} == {"idem-1"}


def test_bad_request_is_not_retried() -> None:
    reply = error_reply(400, "Invalid schema for response_format 'answer'")
    with (serving(replies(reply)) as service,
          pytest.raises(ProviderError, match="Invalid schema") as caught):
        connect(service.url).complete(ask(SCHEMA))
    assert len(service.seen) == 1
    assert caught.value.status == 400 and not caught.value.retryable


def test_timeout() -> None:
    with (serving(replies(Reply(200, {}, delay_s=1.0))) as service,
          pytest.raises(ProviderError, match=r"no answer within 0\.2 s")):
        connect(service.url, timeout_s=0.2, retries=1).complete(ask())
    assert len(service.seen) == 2


@given(TEXT)
@settings(max_examples=200, deadline=None)
def test_any_prompt_survives_the_request_json(prompt: str) -> None:
    body = chat_body(ask(messages=(Message("user", prompt),)),
                     max_tokens_field="max_completion_tokens")
    assert json.loads(json.dumps(body))["messages"] == [{"role": "user", "content": prompt}]


def test_prompt_text_reaches_the_server_intact() -> None:
    prompt = 'Rain.\n"Left at the chapel," she says — 雨 \\u0000 {}'
    with serving(replies(chat_reply("ok"))) as service:
        connect(service.url).complete(ask(messages=(Message("user", prompt),)))
    assert service.seen[0].json()["messages"][0]["content"] == prompt


# --- rate-limit arithmetic -----------------------------------------------------------------

@pytest.mark.parametrize(("value", "seconds"), [
    ("1s", 1.0), ("6m0s", 360.0), ("20ms", 0.02), ("1h2m3.5s", 3723.5), ("0.5s", 0.5),
    ("", None), ("soon", None), ("5", None), ("1s junk", None), (None, None)])
def test_parse_reset(value: str | None, seconds: float | None) -> None:
    assert parse_reset(value) == (pytest.approx(seconds) if seconds is not None else None)


@given(st.integers(0, 23), st.integers(0, 59), st.integers(0, 59), st.integers(0, 999))
def test_parse_reset_reads_what_openai_writes(h: int, m: int, s: int, ms: int) -> None:
    text = (f"{h}h" if h else "") + (f"{m}m" if m else "") + f"{s}s" + (f"{ms}ms" if ms
                                                                        else "")
    assert parse_reset(text) == pytest.approx(h * 3600 + m * 60 + s + ms / 1000)


def test_ratelimit_wait_without_exhausted_limit_takes_the_nearest() -> None:
    assert ratelimit_wait({"x-ratelimit-reset-requests": "2s",
                           "x-ratelimit-reset-tokens": "500ms"}) == pytest.approx(0.5)
    assert ratelimit_wait({}) is None


@given(st.floats(0, 2 * MAX_WAIT_S, allow_nan=False).map(lambda x: round(x, 3)))
@settings(max_examples=100, deadline=None)
def test_any_retry_after_is_waited_for_or_refused(seconds: float) -> None:
    answers = iter([httpx.Response(429, headers={"retry-after": str(seconds)},
                                   json={"error": {"message": "slow down"}}),
                    httpx.Response(200, json={"ok": True})])
    waits: list[float] = []
    http = OpenAIHttp(config("http://openai.test", retries=1),
                      transport=httpx.MockTransport(lambda request: next(answers)),
                      sleep=waits.append)
    if seconds > MAX_WAIT_S:
        with pytest.raises(ProviderError, match="try again later"):
            http.request("POST", "chat/completions", json={})
        assert waits == []
    else:
        assert http.request("POST", "chat/completions", json={}).status_code == 200
        assert waits == [pytest.approx(seconds)]


# --- images ---------------------------------------------------------------------------------

def draw(**kw: Any) -> ImageRequest:
    values: dict[str, Any] = {"model": "gpt-image-1", "prompt": "A harbour at night",
                              "width": 1920, "height": 1080, "idempotency_key": "img-1"}
    values.update(kw)
    return ImageRequest(**values)


def test_generation_request_and_decoded_png() -> None:
    made = png((6, 4))
    with serving(replies(image_reply(made))) as service:
        result = connect(service.url).generate(draw(negative_prompt="text, logos"))
    [seen] = service.seen
    assert (seen.method, seen.path) == ("POST", "/v1/images/generations")
    assert seen.headers["authorization"] == f"Bearer {KEY}"
    assert seen.headers["idempotency-key"] == "img-1"
    assert seen.json() == {"model": "gpt-image-1", "size": "1536x1024", "n": 1,
                           "prompt": "A harbour at night\n\nAvoid: text, logos",
                           "quality": "medium", "output_format": "png"}
    assert result.images == (made,)
    assert result.cost_usd == pytest.approx(0.063)  # no usage given: the list price
    assert result.request_id == "req_img" and result.seed is None


def test_generation_cost_from_reported_usage() -> None:
    usage = {"total_tokens": 1100, "input_tokens": 50, "output_tokens": 1056,
             "input_tokens_details": {"text_tokens": 50, "image_tokens": 0}}
    with serving(replies(image_reply(png(), png(), usage=usage))) as service:
        result = connect(service.url, options={"image_quality": "high"}).generate(
            draw(width=1024, height=1024, count=2))
    assert service.seen[0].json()["quality"] == "high"
    assert service.seen[0].json()["n"] == 2
    assert len(result.images) == 2
    assert result.cost_usd == pytest.approx((50 * 5 + 1056 * 40) / 1e6)


def test_edit_sends_every_input_image_as_multipart() -> None:
    init, face = png((8, 8), "blue"), png((5, 5), "green")
    costume = png((5, 5), "white", fmt="JPEG")
    with serving(replies(image_reply(png()))) as service:
        result = connect(service.url).generate(
            draw(width=1080, height=1920, init_image=init, references=(face, costume),
                 count=2))
    [seen] = service.seen
    assert (seen.method, seen.path) == ("POST", "/v1/images/edits")
    assert seen.headers["authorization"] == f"Bearer {KEY}"
    assert seen.headers["idempotency-key"] == "img-1"
    parts = form_parts(seen)
    images = [(h, data) for h, data in parts if field_name(h) == "image[]"]
    assert [data for _, data in images] == [init, face, costume]
    assert [h["content-type"] for h, _ in images] == ["image/png", "image/png", "image/jpeg"]
    assert all('filename="' in h["content-disposition"] for h, _ in images)
    fields = {field_name(h): data.decode() for h, data in parts if field_name(h) != "image[]"}
    assert fields == {"model": "gpt-image-1", "prompt": "A harbour at night",
                      "size": "1024x1536", "n": "2", "quality": "medium",
                      "output_format": "png", "input_fidelity": "high"}
    assert len(result.images) == 1


def test_edit_with_a_loose_init_image_asks_low_fidelity() -> None:
    with serving(replies(image_reply(png()))) as service:
        connect(service.url).generate(draw(init_image=png(), strength=0.9))
    fields = {field_name(h): data for h, data in form_parts(service.seen[0])}
    assert fields["input_fidelity"] == b"low"


@pytest.mark.parametrize(("request_kw", "match"), [
    ({"control": {"depth": b"x"}}, "no control images"),
    ({"references": (b"\x89PNG\r\n\x1a\n",) * 17}, "at most 16 input images"),
    ({"count": 11}, "count must be 1 to 10"),
    ({"init_image": b"GIF89a"}, "not PNG, JPEG or WebP"),
])
def test_impossible_image_requests_send_nothing(request_kw: dict[str, Any],
                                                match: str) -> None:
    with (serving(replies(image_reply(png()))) as service,
          pytest.raises(ProviderError, match=match)):
        connect(service.url).generate(draw(**request_kw))
    assert service.seen == []


@pytest.mark.parametrize(("body", "match"), [
    ({"data": [{"b64_json": "not base64!"}]}, "not valid base64"),
    ({"data": [{"b64_json": base64.b64encode(b"GIF89a").decode()}]}, "not a PNG"),
    ({"data": [{"url": "https://example.com/x.png"}]}, "no b64_json"),
    ({"data": []}, "holds no images"),
])
def test_bad_image_answers(body: dict[str, Any], match: str) -> None:
    with (serving(replies(Reply(200, body))) as service,
          pytest.raises(ProviderError, match=match)):
        connect(service.url).generate(draw())


@pytest.mark.parametrize(("size", "expected"), [
    ((1920, 1080), (1536, 1024)), ((1080, 1920), (1024, 1536)), ((500, 500), (1024, 1024)),
    ((1100, 1000), (1024, 1024)), ((2048, 858), (1536, 1024))])
def test_nearest_size(size: tuple[int, int], expected: tuple[int, int]) -> None:
    assert nearest_size(*size) == expected


@given(st.integers(1, 10_000), st.integers(1, 10_000))
def test_nearest_size_is_supported_and_keeps_orientation(width: int, height: int) -> None:
    chosen = nearest_size(width, height)
    assert chosen in IMAGE_SIZES
    if width >= 1.25 * height:
        assert chosen == (1536, 1024)
    if height >= 1.25 * width:
        assert chosen == (1024, 1536)


# --- embeddings -----------------------------------------------------------------------------

def test_embeddings() -> None:
    reply = Reply(200, {"object": "list", "model": "text-embedding-3-small",
                        "data": [{"object": "embedding", "index": 1, "embedding": [0.0, 1.0]},
                                 {"object": "embedding", "index": 0, "embedding": [0.5, -0.5]}],
                        "usage": {"prompt_tokens": 2000, "total_tokens": 2000}})
    with serving(replies(reply)) as service:
        result = connect(service.url).embed(
            EmbeddingRequest("text-embedding-3-small", ("a", "b")))
    [seen] = service.seen
    assert (seen.method, seen.path) == ("POST", "/v1/embeddings")
    assert seen.json() == {"model": "text-embedding-3-small", "input": ["a", "b"],
                           "encoding_format": "float"}
    assert result.vectors == ((0.5, -0.5), (0.0, 1.0))
    assert result.cost_usd == pytest.approx(0.00004)


def test_embeddings_of_nothing_send_nothing() -> None:
    with serving(replies(Reply(500))) as service:
        assert connect(service.url).embed(EmbeddingRequest("text-embedding-3-small",
                                                           ())).vectors == ()
    assert service.seen == []


def test_embedding_count_mismatch() -> None:
    reply = Reply(200, {"data": [{"index": 0, "embedding": [1.0]}]})
    with (serving(replies(reply)) as service,
          pytest.raises(ProviderError, match="expected 2 embeddings")):
        connect(service.url).embed(EmbeddingRequest("text-embedding-3-small", ("a", "b")))
