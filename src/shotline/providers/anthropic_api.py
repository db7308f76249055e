"""Anthropic's Messages API (POST /v1/messages), spoken over plain HTTP.

Structured answers come one of two ways, as each model allows: a forced tool whose input
schema is the answer's schema (the tool call's `input` is the answer), or, on models that
refuse a forced tool, JSON output constrained by `output_config.format`.

Anthropic takes no idempotency key, so none is sent. A retry is therefore not strictly
safe: Anthropic answers 429 (rate_limit_error) and 529 (overloaded_error) before doing
the work, so retrying those costs nothing, but a 5xx, a timeout or a dropped connection
may come after the message was generated and billed, and the retry is billed again. The
retry count bounds that; the budget ledger settles the call once, at the cost reported
by the answer that arrived.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from shotline.governance.terms import DataUseTerms
from shotline.providers.http import HttpClient
from shotline.providers.protocols import ProviderConfig, ProviderError
from shotline.providers.types import (
    TEXT,
    TEXT_STRUCTURED,
    CostModel,
    ModelInfo,
    ProviderInfo,
    TextRequest,
    TextResult,
    Usage,
)

NAME = "anthropic"
API_VERSION = "2023-06-01"
KEY_ENV = "ANTHROPIC_API_KEY"

# Read against Anthropic's privacy centre and platform docs on 2026-11-21.
VERIFIED_AT = date(2026, 11, 21)
EVIDENCE_URL = ("https://privacy.anthropic.com/en/articles/"
                "7996866-how-long-do-you-store-personal-data")
TERMS = DataUseTerms(
    # The commercial terms: API inputs and outputs are not used for training unless the
    # customer agrees otherwise.
    trains_on_inputs=False,
    trains_on_outputs=False,
    # "Deleted from the backend within 30 days" is the figure the privacy centre gives
    # for the API (a shorter default has been reported; the longer published one is
    # declared). Content flagged by the trust-and-safety classifiers is kept up to two
    # years, which is what human_review below stands for.
    retention_days=30,
    # Zero data retention exists only by a separate agreement with Anthropic; a
    # production that has one declares it in [providers.anthropic.terms].
    zero_data_retention=False,
    human_review=True,
    # inference_geo defaults to "global": inference may run in any geography. Setting
    # inference_geo = "us" in [providers.anthropic] narrows this (see terms_for).
    regions=("global",),
    evidence_url=EVIDENCE_URL,
    verified_at=VERIFIED_AT,
)


@dataclass(frozen=True)
class _Wire:
    """What a model accepts on the wire, from each model's migration notes."""

    sampling: bool  # temperature; newer models answer a non-default one with a 400
    forced_tool: bool  # tool_choice {"type": "tool"}; else JSON via output_config.format


# Model names and prices (US dollars per 1k tokens) from platform.claude.com, 2026-11-21.
_WIRE = {
    # $2 / $10 per million tokens. Rejects sampling parameters and forced tool choice.
    "claude-sonnet-5-5": _Wire(sampling=False, forced_tool=False),
    # $1 / $5 per million tokens. Accepts both.
    "claude-haiku-4-5": _Wire(sampling=True, forced_tool=True),
}
_TEXT = frozenset({TEXT, TEXT_STRUCTURED})
MODELS = (
    ModelInfo("claude-sonnet-5-5", _TEXT,
              CostModel(per_1k_input_tokens=0.002, per_1k_output_tokens=0.010), TERMS,
              description="Claude Sonnet 5.5: adaptive thinking, 1M context"),
    ModelInfo("claude-haiku-4-5", _TEXT,
              CostModel(per_1k_input_tokens=0.001, per_1k_output_tokens=0.005), TERMS,
              description="Claude Haiku 4.5: fast and cheap, 200K context"),
)

INFO = ProviderInfo(name=NAME, title="Anthropic (Claude)", models=MODELS, where="remote",
                    credentials=(KEY_ENV,), default_endpoint="https://api.anthropic.com")

# JSON output's schema subset (structured-outputs docs): these keywords are refused, so
# they move into the description, where the model still reads them.
_UNSUPPORTED = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
                "minLength", "maxLength", "maxItems", "uniqueItems", "minProperties",
                "maxProperties")


def tool_schema(schema: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """A tool's input must be an object; any other answer is wrapped in {"value": ...}.
    Returns the schema to send and whether it was wrapped."""
    if schema.get("type") == "object" or ("properties" in schema and "type" not in schema):
        return schema, False
    return {"type": "object", "properties": {"value": schema}, "required": ["value"]}, True


def strict_schema(schema: Any) -> Any:
    """The schema in the subset JSON output accepts: every object closed to extra
    properties, unsupported constraints noted in descriptions instead."""
    if isinstance(schema, list):
        return [strict_schema(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    notes: list[str] = []
    for key, value in schema.items():
        if key in _UNSUPPORTED or (key == "minItems" and value not in (0, 1)):
            notes.append(f"{key}: {json.dumps(value)}")
        elif key in ("properties", "$defs", "definitions", "patternProperties"):
            out[key] = ({k: strict_schema(v) for k, v in value.items()}
                        if isinstance(value, dict) else value)
        else:
            out[key] = strict_schema(value)
    if out.get("type") == "object" or "properties" in out:
        out["additionalProperties"] = False
    if notes:
        described = str(out.get("description", "")).strip()
        out["description"] = "; ".join(([described] if described else []) + notes)
    return out


def _scrub(text: str, secret: str) -> str:
    return text.replace(secret, "[redacted]") if secret else text


@dataclass
class AnthropicClient:
    """A connection to the Messages API; `complete` is the TextProvider protocol."""

    config: ProviderConfig
    http: HttpClient = field(repr=False)
    _key: str = field(repr=False, default="")

    def _wire(self, model: str) -> _Wire:
        # A model this plugin does not list (a project's own pick) gets the conservative
        # shape that every current model accepts.
        return _WIRE.get(model, _Wire(sampling=False, forced_tool=False))

    def _body(self, request: TextRequest) -> tuple[dict[str, Any], bool]:
        wire = self._wire(request.model)
        system = "\n\n".join(m.content for m in request.messages if m.role == "system")
        turns = [{"role": m.role, "content": m.content} for m in request.messages
                 if m.role in ("user", "assistant")]
        odd = sorted({m.role for m in request.messages}
                     - {"system", "user", "assistant"})
        if odd:
            raise ProviderError(NAME, f"unknown message role {', '.join(odd)}")
        if not turns:
            raise ProviderError(NAME, "a request needs at least one user message")
        body: dict[str, Any] = {"model": request.model, "max_tokens": request.max_tokens,
                                "messages": turns}
        if system:
            body["system"] = system
        if wire.sampling:
            body["temperature"] = request.temperature
        output_config: dict[str, Any] = {}
        effort = self.config.options.get("effort")
        if isinstance(effort, str) and effort:
            output_config["effort"] = effort
        geo = self.config.options.get("inference_geo")
        if isinstance(geo, str) and geo:
            body["inference_geo"] = geo
        wrapped = False
        if request.schema is not None:
            if wire.forced_tool:
                schema, wrapped = tool_schema(request.schema)
                body["tools"] = [{
                    "name": request.schema_name,
                    "description": "Give the answer by calling this tool; its input is "
                                   "the answer, in the schema given.",
                    "input_schema": schema}]
                body["tool_choice"] = {"type": "tool", "name": request.schema_name}
            else:
                output_config["format"] = {"type": "json_schema",
                                           "schema": strict_schema(request.schema)}
        if output_config:
            body["output_config"] = output_config
        return body, wrapped

    def complete(self, request: TextRequest) -> TextResult:
        body, wrapped = self._body(request)
        try:
            response = self.http.request("POST", "/v1/messages", json=body,
                                         idempotency_key=request.idempotency_key,
                                         idempotency_header="")
        except ProviderError as exc:
            raise self._explain(exc) from None
        try:
            answer = response.json()
        except ValueError:
            raise ProviderError(NAME, "the answer is not JSON") from None
        if not isinstance(answer, dict) or not isinstance(answer.get("content"), list):
            raise ProviderError(NAME, "the answer has no content list")
        texts: list[str] = []
        tool_input: Any = None
        called = False
        for block in answer["content"]:
            if not isinstance(block, dict):
                continue
            if block.get("type") == "text":
                texts.append(str(block.get("text", "")))
            elif block.get("type") == "tool_use" and block.get("name") == request.schema_name:
                tool_input, called = block.get("input"), True
        text = "".join(texts)
        stop = answer.get("stop_reason")
        usage_in = answer.get("usage") or {}
        usage = Usage(int(usage_in.get("input_tokens") or 0),
                      int(usage_in.get("output_tokens") or 0))
        if stop == "refusal":
            raise ProviderError(NAME, f"{request.model} declined to answer")
        data: Any = None
        if request.schema is not None:
            data = self._structured(request, text, tool_input, called, wrapped, stop)
        cost = _cost(request.model).price(input_tokens=usage.input_tokens,
                                          output_tokens=usage.output_tokens)
        return TextResult(text=text, data=data, usage=usage, cost_usd=cost,
                          model_version=str(answer.get("model") or request.model),
                          request_id=response.headers.get("request-id", ""))

    def _structured(self, request: TextRequest, text: str, tool_input: Any, called: bool,
                    wrapped: bool, stop: Any) -> Any:
        cut = " (the answer was cut at max_tokens)" if stop == "max_tokens" else ""
        if self._wire(request.model).forced_tool:
            if not called:
                raise ProviderError(NAME, f"{request.model} did not call the "
                                    f"{request.schema_name} tool{cut}")
            if wrapped:
                if not isinstance(tool_input, dict) or "value" not in tool_input:
                    raise ProviderError(NAME, "the tool input has no value")
                return tool_input["value"]
            return tool_input
        try:
            return json.loads(text)
        except ValueError:
            raise ProviderError(NAME, f"{request.model} did not answer in JSON{cut}") from None

    def _explain(self, exc: ProviderError) -> ProviderError:
        """The same failure, said for people: which variable holds the refused key."""
        detail = _scrub(str(exc).removeprefix(f"{NAME}: "), self._key)
        if exc.status == 401:
            detail = (f"the API key in {KEY_ENV} was refused (401): "
                      f"{detail.split(': ', 1)[-1]}")
        elif exc.status == 403:
            detail = (f"the API key in {KEY_ENV} may not do this (403): "
                      f"{detail.split(': ', 1)[-1]}")
        return ProviderError(NAME, detail, status=exc.status, retryable=exc.retryable)

    def close(self) -> None:
        self.http.close()


def _cost(model: str) -> CostModel:
    for m in MODELS:
        if m.name == model:
            return m.cost
    return CostModel()  # unknown model: the ledger falls back on its own estimate


class AnthropicPlugin:
    info = INFO

    def connect(self, config: ProviderConfig, **http: Any) -> AnthropicClient:
        """`http` goes to HttpClient (tests inject `sleep` and `transport`)."""
        key = config.secret(KEY_ENV)
        endpoint = (config.endpoint or INFO.default_endpoint).rstrip("/")
        headers = {"x-api-key": key, "anthropic-version": API_VERSION,
                   "content-type": "application/json", "accept": "application/json"}
        client = HttpClient(replace(config, endpoint=endpoint), headers=headers, **http)
        return AnthropicClient(config, client, key)

    def terms_for(self, config: ProviderConfig, terms: DataUseTerms) -> DataUseTerms:
        """Pinning inference to a geography narrows where the material is processed."""
        geo = config.options.get("inference_geo")
        if isinstance(geo, str) and geo and geo != "global" and terms.regions == ("global",):
            return replace(terms, regions=(geo.lower(),))
        return terms


ANTHROPIC = AnthropicPlugin()
