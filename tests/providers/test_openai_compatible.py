"""The OpenAI-compatible plugin against a local server answering as Ollama, vLLM or the
llama.cpp server do."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shotline.providers.openai_api import parse_json_answer
from shotline.providers.openai_compatible import (
    ANY_MODEL,
    ENV_KEY,
    INFO,
    OPENAI_COMPATIBLE,
    CompatibleClient,
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
from shotline.providers.types import EmbeddingRequest, Message, TextRequest
from tests.providers.fakeserver import Reply, Seen, serving
from tests.providers.test_openai_api import SCHEMA, chat_reply, error_reply, replies

KEY = "local-key-0123456789SECRET"


def connect(url: str, **kw: Any) -> CompatibleClient:
    values: dict[str, Any] = {"name": "ollama", "endpoint": url + "/v1", "retries": 2,
                              "backoff_s": 0.01, "timeout_s": 1.0}
    values.update(kw)
    client = OPENAI_COMPATIBLE.connect(ProviderConfig(**values))
    client.http.sleep = lambda s: None
    return client


def ask(schema: dict[str, Any] | None = None, **kw: Any) -> TextRequest:
    values: dict[str, Any] = {"model": "llama3.1:8b", "schema": schema,
                              "messages": (Message("user", "Mood?"),),
                              "idempotency_key": "idem-1"}
    values.update(kw)
    return TextRequest(**values)


def refusing(*formats: str | None, answer: str = '{"mood": "calm"}') -> Any:
    """A server that answers 400 to the response_format types named (None: none)."""
    def handle(seen: Seen) -> Reply:
        kind = (seen.json().get("response_format") or {}).get("type")
        if kind in formats:
            return error_reply(400, f"response_format type {kind} is not supported")
        return chat_reply(answer, model="llama3.1:8b")
    return handle


# --- declarations ---------------------------------------------------------------------------

def test_entry_point_finds_openai_compatible() -> None:
    plugins, broken = discover()
    assert "openai-compatible" not in {b.name for b in broken}
    info = plugins["openai-compatible"].info
    assert info is INFO
    assert info.where == "local"
    assert info.default_endpoint == "http://127.0.0.1:11434/v1"
    assert info.credentials == (ENV_KEY,)


def test_one_wildcard_model_free_with_unknown_terms() -> None:
    [model] = INFO.models
    assert model.name == ANY_MODEL == "*"
    assert model.capabilities == {"text", "text.structured", "embedding"}
    assert model.cost.free
    assert set(model.terms.unknown()) == {"trains_on_inputs", "trains_on_outputs",
                                          "retention_days", "zero_data_retention",
                                          "human_review", "regions", "evidence_url",
                                          "verified_at"}


def test_connect_opens_no_connection(no_network: list[Any]) -> None:
    plugin: ProviderPlugin = OPENAI_COMPATIBLE
    client = plugin.connect(ProviderConfig(name="openai-compatible"))
    assert isinstance(client, CompatibleClient)
    assert isinstance(client, TextProvider) and isinstance(client, EmbeddingProvider)
    assert not isinstance(client, ImageProvider)
    assert client.http.config.endpoint == "http://127.0.0.1:11434/v1"
    assert no_network == []


@pytest.mark.parametrize(("options", "match"), [
    ({"structured": "grammar"}, "structured must be one of"),
    ({"models": "llama3"}, "models must be a list"),
])
def test_connect_checks_options(options: dict[str, Any], match: str) -> None:
    with pytest.raises(ProviderError, match=match):
        OPENAI_COMPATIBLE.connect(ProviderConfig(name="x", options=options))


# --- chat -----------------------------------------------------------------------------------

def test_plain_chat_without_key_sends_no_authorization() -> None:
    with serving(replies(chat_reply("Calm.", model="llama3.1:8b"))) as service:
        result = connect(service.url).complete(ask(seed=3, max_tokens=64))
    [seen] = service.seen
    assert (seen.method, seen.path) == ("POST", "/v1/chat/completions")
    assert "authorization" not in seen.headers
    assert seen.json() == {"model": "llama3.1:8b", "max_tokens": 64, "temperature": 0.0,
                           "seed": 3, "messages": [{"role": "user", "content": "Mood?"}]}
    assert result.text == "Calm." and result.cost_usd == 0.0
    assert result.model_version == "llama3.1:8b"


def test_key_is_sent_when_set() -> None:
    with serving(replies(chat_reply("ok"))) as service:
        connect(service.url, secrets={ENV_KEY: KEY}).complete(ask())
    assert service.seen[0].headers["authorization"] == f"Bearer {KEY}"


@pytest.mark.parametrize("model", ["", "*"])
def test_unnamed_model_is_the_first_listed(model: str) -> None:
    with serving(replies(chat_reply("ok"))) as service:
        connect(service.url, options={"models": ["qwen2.5:7b", "llama3.1:8b"]}).complete(
            ask(model=model))
    assert service.seen[0].json()["model"] == "qwen2.5:7b"


def test_unnamed_model_without_a_list_is_an_error() -> None:
    with (serving(replies(chat_reply("ok"))) as service,
          pytest.raises(ProviderError, match="no model named")):
        connect(service.url).complete(ask(model="*"))
    assert service.seen == []


def test_json_schema_first() -> None:
    with serving(refusing()) as service:
        result = connect(service.url).complete(ask(SCHEMA))
    [seen] = service.seen
    assert seen.json()["response_format"]["type"] == "json_schema"
    assert seen.json()["response_format"]["json_schema"]["schema"] == SCHEMA
    assert result.data == {"mood": "calm"}


def test_falls_back_to_json_object_and_remembers() -> None:
    with serving(refusing("json_schema")) as service:
        client = connect(service.url)
        first = client.complete(ask(SCHEMA))
        second = client.complete(ask(SCHEMA, idempotency_key="idem-2"))
    assert first.data == second.data == {"mood": "calm"}
    bodies = [s.json() for s in service.seen]
    assert [b["response_format"]["type"] for b in bodies] == ["json_schema", "json_object",
                                                               "json_object"]
    system = bodies[1]["messages"][0]
    assert system["role"] == "system"
    assert json.loads(system["content"].split("\n", 1)[1]) == SCHEMA
    assert bodies[1]["messages"][1] == {"role": "user", "content": "Mood?"}
    keys = [s.headers["idempotency-key"] for s in service.seen]
    assert keys == ["idem-1", "idem-1-json_object", "idem-2-json_object"]


def test_schema_joins_an_existing_system_message() -> None:
    with serving(refusing("json_schema")) as service:
        connect(service.url).complete(ask(SCHEMA, messages=(
            Message("system", "You plan shots."), Message("user", "Mood?"))))
    messages = service.seen[1].json()["messages"]
    assert [m["role"] for m in messages] == ["system", "user"]
    assert messages[0]["content"].startswith("You plan shots.\n\n")
    assert '"required": ["mood"]' in messages[0]["content"]


def test_falls_back_to_the_prompt_alone_and_reads_a_fenced_answer() -> None:
    fenced = '```json\n{"mood": "calm"}\n```'
    with serving(refusing("json_schema", "json_object", answer=fenced)) as service:
        result = connect(service.url).complete(ask(SCHEMA))
    bodies = [s.json() for s in service.seen]
    assert [b.get("response_format", {}).get("type") for b in bodies] == [
        "json_schema", "json_object", None]
    assert result.data == {"mood": "calm"}


def test_structured_option_starts_further_down() -> None:
    with serving(refusing()) as service:
        connect(service.url, options={"structured": "prompt"}).complete(ask(SCHEMA))
    [seen] = service.seen
    assert "response_format" not in seen.json()


def test_every_mode_refused_is_the_last_error() -> None:
    with (serving(refusing("json_schema", "json_object", None)) as service,
          pytest.raises(ProviderError, match="not supported") as caught):
        connect(service.url).complete(ask(SCHEMA))
    assert caught.value.status == 400
    assert len(service.seen) == 3


def test_server_errors_do_not_change_the_format() -> None:
    with (serving(replies(error_reply(500, "model crashed"))) as service,
          pytest.raises(ProviderError, match="model crashed")):
        connect(service.url).complete(ask(SCHEMA))
    assert len(service.seen) == 3  # retried, all with json_schema
    assert {s.json()["response_format"]["type"] for s in service.seen} == {"json_schema"}


@pytest.mark.parametrize(("answer", "match"), [
    ("Sure! The mood is calm.", "not valid JSON"),
    ('["calm"]', "not an object"),
    ('{"tone": "calm"}', "lacks mood"),
])
def test_answers_that_break_the_schema(answer: str, match: str) -> None:
    with (serving(refusing(answer=answer)) as service,
          pytest.raises(ProviderError, match=match)):
        connect(service.url).complete(ask(SCHEMA))
    assert len(service.seen) == 1  # a bad answer is not a reason to change format


def test_unauthorised_says_which_variable_to_set() -> None:
    with (serving(replies(error_reply(401, "missing bearer token"))) as service,
          pytest.raises(ProviderError, match=f"set {ENV_KEY}")):
        connect(service.url).complete(ask())


def test_unauthorised_with_a_key_hides_it() -> None:
    with (serving(replies(error_reply(401, f"bad token {KEY}"))) as service,
          pytest.raises(ProviderError) as caught):
        connect(service.url, secrets={ENV_KEY: KEY}).complete(ask())
    assert f"check {ENV_KEY}" in str(caught.value)
    assert KEY not in str(caught.value)


def test_unknown_model_is_not_retried() -> None:
    reply = Reply(404, {"error": {"message": 'model "llama9" not found, try pulling it first',
                                  "type": "api_error", "param": None, "code": None}})
    with (serving(replies(reply)) as service,
          pytest.raises(ProviderError, match="try pulling it first")):
        connect(service.url).complete(ask(model="llama9"))
    assert len(service.seen) == 1


def test_timeout() -> None:
    with (serving(replies(Reply(200, {}, delay_s=1.0))) as service,
          pytest.raises(ProviderError, match="no answer within")):
        connect(service.url, timeout_s=0.2, retries=0).complete(ask())


@given(st.dictionaries(st.text(min_size=1, max_size=10),
                       st.integers() | st.text(max_size=20) | st.booleans(), max_size=5))
@settings(max_examples=100, deadline=None)
def test_any_object_answer_round_trips(answer: dict[str, Any]) -> None:
    schema = {"type": "object", "required": sorted(answer)}
    assert parse_json_answer("x", json.dumps(answer), schema, "stop") == answer


# --- embeddings and model list -------------------------------------------------------------

def test_embeddings_and_model_list() -> None:
    def handle(seen: Seen) -> Reply:
        if seen.path == "/v1/models":
            return Reply(200, {"object": "list", "data": [
                {"id": "llama3.1:8b", "object": "model", "owned_by": "library"},
                {"id": "nomic-embed-text", "object": "model", "owned_by": "library"}]})
        return Reply(200, {"object": "list", "model": "nomic-embed-text", "data": [
            {"object": "embedding", "index": 0, "embedding": [0.25, 0.75]}],
            "usage": {"prompt_tokens": 3, "total_tokens": 3}})

    with serving(handle) as service:
        client = connect(service.url, options={"models": ["nomic-embed-text"]})
        result = client.embed(EmbeddingRequest("*", ("harbour",)))
        names = client.models()
    assert service.seen[0].path == "/v1/embeddings"
    assert service.seen[0].json() == {"model": "nomic-embed-text", "input": ["harbour"],
                                      "encoding_format": "float"}
    assert result.vectors == ((0.25, 0.75),) and result.cost_usd == 0.0
    assert (service.seen[1].method, service.seen[1].path) == ("GET", "/v1/models")
    assert names == ["llama3.1:8b", "nomic-embed-text"]


def test_non_finite_embedding_is_an_error() -> None:
    body = b'{"data": [{"index": 0, "embedding": [NaN, 1.0]}]}'
    with (serving(replies(Reply(200, body, {"Content-Type": "application/json"}))) as service,
          pytest.raises(ProviderError, match="not a finite number")):
        connect(service.url).embed(EmbeddingRequest("nomic-embed-text", ("a",)))
