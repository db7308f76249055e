"""The Anthropic adapter against a local server speaking the Messages API wire format."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shotline.governance.terms import DataUseTerms
from shotline.providers.anthropic_api import (
    ANTHROPIC,
    API_VERSION,
    KEY_ENV,
    TERMS,
    AnthropicClient,
    strict_schema,
)
from shotline.providers.protocols import ProviderConfig, ProviderError, TextProvider
from shotline.providers.registry import discover
from shotline.providers.types import TEXT, TEXT_STRUCTURED, Message, TextRequest
from tests.providers.fakeserver import Reply, Seen, serving

KEY = "sk-ant-test-0123456789abcdef"
HAIKU = "claude-haiku-4-5"
SONNET = "claude-sonnet-5-5"


def config(url: str, **kw: Any) -> ProviderConfig:
    base: dict[str, Any] = dict(name="anthropic", endpoint=url, secrets={KEY_ENV: KEY},
                                retries=2, backoff_s=0.01, timeout_s=1, poll_s=0.01)
    base.update(kw)
    return ProviderConfig(**base)


def connect(url: str, waits: list[float] | None = None, **kw: Any) -> AnthropicClient:
    sleep = waits.append if waits is not None else (lambda s: None)
    return ANTHROPIC.connect(config(url, **kw), sleep=sleep)


def message(content: list[dict[str, Any]], *, model: str = HAIKU, stop: str = "end_turn",
            usage: tuple[int, int] = (120, 30)) -> Reply:
    return Reply(200, {"id": "msg_01", "type": "message", "role": "assistant",
                       "model": model, "content": content, "stop_reason": stop,
                       "stop_sequence": None,
                       "usage": {"input_tokens": usage[0], "output_tokens": usage[1]}},
                 headers={"request-id": "req_011CAbc"})


def error(status: int, kind: str, text: str, **headers: str) -> Reply:
    return Reply(status, {"type": "error", "error": {"type": kind, "message": text}},
                 headers=headers)


def ask(model: str = HAIKU, schema: dict[str, Any] | None = None, **kw: Any) -> TextRequest:
    return TextRequest(model=model, messages=(
        Message("system", "You break screenplays into shots."),
        Message("user", "INT. KITCHEN - NIGHT. Mara opens the fridge."),
    ), schema=schema, **kw)


SHOTS = {"type": "object", "properties": {
    "shots": {"type": "array", "minItems": 2, "items": {
        "type": "object", "properties": {"size": {"type": "string"},
                                         "seconds": {"type": "number", "minimum": 0.5}},
        "required": ["size", "seconds"]}}},
    "required": ["shots"]}


def test_plugin_declares_models_terms_and_is_discovered() -> None:
    plugins, _ = discover()
    assert plugins["anthropic"] is ANTHROPIC
    info = ANTHROPIC.info
    assert info.name == "anthropic" and info.credentials == (KEY_ENV,)
    assert info.default_endpoint == "https://api.anthropic.com"
    for model in info.models:
        assert {TEXT, TEXT_STRUCTURED} <= model.capabilities
        assert model.cost.per_1k_input_tokens > 0 and model.cost.per_1k_output_tokens > 0
        assert model.terms.unknown() == []
    assert TERMS.trains_on_inputs is False and TERMS.trains_on_outputs is False
    assert TERMS.zero_data_retention is False  # only by a separate agreement
    assert KEY not in repr(config("http://x"))


def test_text_answer_request_shape_usage_and_cost() -> None:
    with serving(lambda seen: message([{"type": "text", "text": "Three shots."}])) as svc:
        client = connect(svc.url)
        assert isinstance(client, TextProvider)
        result = client.complete(ask(temperature=0.3, max_tokens=512,
                                     idempotency_key="call-1"))
    seen = svc.seen[0]
    assert (seen.method, seen.path) == ("POST", "/v1/messages")
    assert seen.headers["x-api-key"] == KEY
    assert seen.headers["anthropic-version"] == API_VERSION
    assert seen.headers["content-type"].startswith("application/json")
    assert "idempotency-key" not in seen.headers  # Anthropic takes none
    body = seen.json()
    assert body == {"model": HAIKU, "max_tokens": 512, "temperature": 0.3,
                    "system": "You break screenplays into shots.",
                    "messages": [{"role": "user",
                                  "content": "INT. KITCHEN - NIGHT. Mara opens the fridge."}]}
    assert result.text == "Three shots." and result.data is None
    assert (result.usage.input_tokens, result.usage.output_tokens) == (120, 30)
    assert result.cost_usd == pytest.approx(120 * 0.001 / 1000 + 30 * 0.005 / 1000)
    assert result.request_id == "req_011CAbc" and result.model_version == HAIKU


def test_structured_answer_through_a_forced_tool() -> None:
    answer = {"shots": [{"size": "wide", "seconds": 3}, {"size": "insert", "seconds": 1.5}]}
    with serving(lambda seen: message(
            [{"type": "text", "text": "Here it is."},
             {"type": "tool_use", "id": "toolu_01", "name": "breakdown", "input": answer}],
            stop="tool_use")) as svc:
        result = connect(svc.url).complete(ask(schema=SHOTS, schema_name="breakdown"))
    body = svc.seen[0].json()
    assert body["tools"] == [{"name": "breakdown", "description": body["tools"][0]["description"],
                              "input_schema": SHOTS}]
    assert body["tool_choice"] == {"type": "tool", "name": "breakdown"}
    assert "output_config" not in body
    assert result.data == answer and result.text == "Here it is."


def test_a_schema_that_is_not_an_object_is_wrapped_and_unwrapped() -> None:
    schema = {"type": "array", "items": {"type": "string"}}
    with serving(lambda seen: message([{"type": "tool_use", "id": "t", "name": "answer",
                                        "input": {"value": ["wide", "close"]}}])) as svc:
        result = connect(svc.url).complete(ask(schema=schema))
    sent = svc.seen[0].json()["tools"][0]["input_schema"]
    assert sent == {"type": "object", "properties": {"value": schema}, "required": ["value"]}
    assert result.data == ["wide", "close"]


def test_a_forced_tool_that_was_not_called_is_an_error() -> None:
    reply = message([{"type": "text", "text": "{"}], stop="max_tokens")
    with (serving(lambda seen: reply) as svc,
          pytest.raises(ProviderError, match=r"did not call the answer tool.*max_tokens")):
        connect(svc.url).complete(ask(schema=SHOTS))


def test_models_that_refuse_forced_tools_get_json_output_and_no_temperature() -> None:
    with serving(lambda seen: message(
            [{"type": "thinking", "thinking": "", "signature": "sig"},
             {"type": "text", "text": '{"shots": [{"size": "wide", "seconds": 2}]}'}],
            model=SONNET)) as svc:
        result = connect(svc.url, options={"effort": "medium"}).complete(
            ask(model=SONNET, schema=SHOTS, temperature=0.0))
    body = svc.seen[0].json()
    assert "temperature" not in body and "tools" not in body and "tool_choice" not in body
    fmt = body["output_config"]["format"]
    assert body["output_config"]["effort"] == "medium"
    assert fmt["type"] == "json_schema"
    sent = fmt["schema"]
    assert sent["additionalProperties"] is False
    item = sent["properties"]["shots"]["items"]
    assert item["additionalProperties"] is False
    assert "minimum" not in item["properties"]["seconds"]
    assert "minimum: 0.5" in item["properties"]["seconds"]["description"]
    assert "minItems: 2" in sent["properties"]["shots"]["description"]
    assert result.data == {"shots": [{"size": "wide", "seconds": 2}]}
    assert result.cost_usd == pytest.approx(120 * 0.002 / 1000 + 30 * 0.010 / 1000)


def test_json_output_that_does_not_parse_is_an_error() -> None:
    reply = message([{"type": "text", "text": "not json"}], model=SONNET)
    with (serving(lambda seen: reply) as svc,
          pytest.raises(ProviderError, match="did not answer in JSON")):
        connect(svc.url).complete(ask(model=SONNET, schema=SHOTS))


def test_a_refusal_is_an_error() -> None:
    reply = message([], stop="refusal")
    with serving(lambda seen: reply) as svc, pytest.raises(ProviderError, match="declined"):
        connect(svc.url).complete(ask())


def test_rate_limits_and_overload_are_retried_with_the_waits_asked_for() -> None:
    replies = iter([error(429, "rate_limit_error", "Number of request tokens has exceeded",
                          **{"retry-after": "2"}),
                    error(529, "overloaded_error", "Overloaded"),
                    message([{"type": "text", "text": "ok"}])])
    waits: list[float] = []
    with serving(lambda seen: next(replies)) as svc:
        result = connect(svc.url, waits).complete(ask())
    assert result.text == "ok" and len(svc.seen) == 3
    assert waits[0] == 2.0  # Retry-After honoured
    assert 0.02 <= waits[1] <= 0.03  # the second retry's backoff, with jitter
    assert svc.seen[0].body == svc.seen[2].body  # the same message each time


def test_overload_past_the_retries_is_a_retryable_error() -> None:
    reply = error(529, "overloaded_error", "Overloaded")
    with serving(lambda seen: reply) as svc, pytest.raises(ProviderError) as caught:
        connect(svc.url, []).complete(ask())
    assert len(svc.seen) == 3 and caught.value.status == 529 and caught.value.retryable


def test_bad_requests_are_not_retried() -> None:
    reply = error(400, "invalid_request_error", "max_tokens: must be at most 64000")
    with (serving(lambda seen: reply) as svc,
          pytest.raises(ProviderError, match="max_tokens: must be at most") as caught):
        connect(svc.url, []).complete(ask(max_tokens=10**6))
    assert len(svc.seen) == 1 and caught.value.status == 400 and not caught.value.retryable


@pytest.mark.parametrize("status", [401, 403])
def test_refused_keys_name_the_variable_never_the_key(status: int) -> None:
    # A server that echoes the key back must not get it into the message either.
    def echo(seen: Seen) -> Reply:
        return error(status, "authentication_error",
                     f"invalid x-api-key {seen.headers['x-api-key']}")

    with serving(echo) as svc, pytest.raises(ProviderError) as caught:
        connect(svc.url, []).complete(ask())
    text = str(caught.value)
    assert KEY_ENV in text and KEY not in text and "[redacted]" in text
    assert len(svc.seen) == 1


def test_missing_key_is_named_before_any_connection(no_network: list[Any]) -> None:
    with pytest.raises(ProviderError, match=KEY_ENV):
        ANTHROPIC.connect(ProviderConfig(name="anthropic"))
    assert no_network == []


def test_no_answer_in_time_is_a_timeout() -> None:
    slow = Reply(200, {}, delay_s=1.0)
    with (serving(lambda seen: slow) as svc,
          pytest.raises(ProviderError, match="no answer within") as caught):
        connect(svc.url, [], timeout_s=0.2, retries=1).complete(ask())
    assert caught.value.retryable and len(svc.seen) == 2


def test_inference_geo_is_sent_and_narrows_the_declared_regions() -> None:
    cfg = config("http://127.0.0.1:9", options={"inference_geo": "us"})
    assert ANTHROPIC.terms_for(cfg, TERMS).regions == ("us",)
    assert ANTHROPIC.terms_for(config("http://x"), TERMS).regions == ("global",)
    own = DataUseTerms(regions=("eu",))
    assert ANTHROPIC.terms_for(cfg, own) is own  # a production's own reading stands
    with serving(lambda seen: message([{"type": "text", "text": "ok"}], model=SONNET)) as svc:
        connect(svc.url, options={"inference_geo": "us"}).complete(ask(model=SONNET))
    assert svc.seen[0].json()["inference_geo"] == "us"


def test_strict_schema_closes_every_object() -> None:
    schema: dict[str, Any] = {"type": "object", "properties": {
        "a": {"anyOf": [{"type": "object", "properties": {"b": {"type": "string",
                                                                 "maxLength": 3}}},
                        {"type": "null"}]}},
              "$defs": {"c": {"type": "object", "properties": {}}}}
    out = strict_schema(schema)
    assert out["additionalProperties"] is False
    assert out["properties"]["a"]["anyOf"][0]["additionalProperties"] is False
    assert out["properties"]["a"]["anyOf"][0]["properties"]["b"] == {
        "type": "string", "description": "maxLength: 3"}
    assert out["$defs"]["c"]["additionalProperties"] is False
    assert schema["properties"]["a"]["anyOf"][0]["properties"]["b"]["maxLength"] == 3


def test_message_text_round_trips_through_the_wire() -> None:
    def echo(seen: Seen) -> Reply:
        body = seen.json()
        return message([{"type": "text", "text": body["messages"][0]["content"]},
                        {"type": "text", "text": "|" + body.get("system", "")}])

    with serving(echo) as svc:
        client = connect(svc.url)

        @settings(max_examples=40, deadline=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture])
        @given(user=st.text(min_size=1, max_size=200), system=st.text(max_size=50))
        def check(user: str, system: str) -> None:
            messages = ((Message("system", system),) if system else ()) + (
                Message("user", user),)
            result = client.complete(TextRequest(model=HAIKU, messages=messages))
            assert result.text == user + "|" + system

        check()
