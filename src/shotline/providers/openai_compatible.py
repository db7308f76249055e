"""Any server that speaks OpenAI's chat and embeddings wire format: Ollama (the default
endpoint), vLLM, the llama.cpp server, LM Studio.

Models. Such a server holds whatever its operator pulled, so the plugin declares one
model named "*" (ANY_MODEL): any model name is accepted, with chat, JSON-schema answers
and embeddings. The project names its models in its settings, and the router turns the
wildcard into the model asked for:

    [providers.ollama]
    plugin = "openai-compatible"
    models = ["llama3.1:8b", "nomic-embed-text"]   # config.options["models"]

A request whose model is empty or "*" goes to the first name in `models`. The names
the server itself lists come from `connect(config).models()` (GET /models).

Data-use terms. The plugin cannot know who runs the server, what it logs or where it
is (a loopback port may be a tunnel to someone else's machine), so every term is
unknown and the project's policy refuses the provider until the project declares the
terms in [providers.NAME.terms] with its evidence and the date it checked them.

Structured answers. The request asks for `response_format` json_schema first (vLLM,
Ollama, llama.cpp and LM Studio accept it). A server that answers 400 or 422 to it is
asked again with {"type": "json_object"} and the schema in the system message, then
with the schema in the system message alone; the mode that worked is kept for the
connection's later calls. `options["structured"]` may start the chain further down
("json_object" or "prompt"). The answer must parse as JSON and its top level must match
the schema's type and required keys; validating the rest is the caller's job, as only
it knows the model it wants (no JSON-schema validator is a dependency).

Credentials are optional: OPENAI_COMPATIBLE_API_KEY, sent as a bearer token only when
set. Costs are declared free: the compute is the production's own.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from shotline.governance.terms import DataUseTerms
from shotline.providers.openai_api import (
    ChatClient,
    OpenAIHttp,
    bearer,
    json_schema_format,
    structured_instruction,
    with_instruction,
)
from shotline.providers.protocols import ProviderConfig, ProviderError
from shotline.providers.types import (
    EMBEDDING,
    TEXT,
    TEXT_STRUCTURED,
    CostModel,
    EmbeddingRequest,
    EmbeddingResult,
    ModelInfo,
    ProviderInfo,
    TextRequest,
    TextResult,
)

NAME = "openai-compatible"
ENV_KEY = "OPENAI_COMPATIBLE_API_KEY"
ENDPOINT = "http://127.0.0.1:11434/v1"  # Ollama's OpenAI-compatible API
ANY_MODEL = "*"  # the router's wildcard: any model name the server holds
STRUCTURED_MODES = ("json_schema", "json_object", "prompt")
FALLBACK_STATUS = frozenset({400, 422})  # how servers say "I do not take that format"

INFO = ProviderInfo(
    name=NAME,
    title="OpenAI-compatible server (Ollama, vLLM, llama.cpp, LM Studio)",
    models=(ModelInfo(ANY_MODEL, frozenset({TEXT, TEXT_STRUCTURED, EMBEDDING}), CostModel(),
                      DataUseTerms(), description="any model the server holds"),),
    where="local",
    credentials=(ENV_KEY,),
    default_endpoint=ENDPOINT,
)


@dataclass
class CompatibleClient(ChatClient):
    """Chat and embeddings against an OpenAI-compatible server."""

    default_model: str = ""
    structured: str = "json_schema"  # the first mode tried; moves down on a refusal

    def _model(self, name: str) -> str:
        if name and name != ANY_MODEL:
            return name
        if not self.default_model:
            raise ProviderError(self.provider, "no model named: give one, or list the "
                                "server's in models = [...]")
        return self.default_model

    def complete(self, request: TextRequest) -> TextResult:
        request = replace(request, model=self._model(request.model))
        if request.schema is None:
            return self.chat(request, idempotency_key=request.idempotency_key)
        modes = STRUCTURED_MODES[STRUCTURED_MODES.index(self.structured):]
        for i, mode in enumerate(modes):
            try:
                result = self._structured(request, mode)
            except ProviderError as exc:
                if exc.status not in FALLBACK_STATUS or i == len(modes) - 1:
                    raise
                continue
            self.structured = mode
            return result
        raise AssertionError("unreachable")  # the loop returns or raises

    def _structured(self, request: TextRequest, mode: str) -> TextResult:
        assert request.schema is not None
        key = request.idempotency_key
        if mode == "json_schema":
            return self.chat(request, response_format=json_schema_format(request),
                             idempotency_key=key)
        # Another body: another idempotency key, so a server that keeps them does not
        # answer it with the refused request's error.
        messages = with_instruction(request.messages, structured_instruction(request.schema))
        response_format = {"type": "json_object"} if mode == "json_object" else None
        return self.chat(request, messages=messages, response_format=response_format,
                         idempotency_key=f"{key}-{mode}" if key else None)

    def embed(self, request: EmbeddingRequest) -> EmbeddingResult:
        return super().embed(replace(request, model=self._model(request.model)))


class CompatiblePlugin:
    """The `openai-compatible` entry point."""

    info = INFO

    def connect(self, config: ProviderConfig) -> CompatibleClient:
        key = config.secrets.get(ENV_KEY, "")
        structured = str(config.options.get("structured", "json_schema"))
        if structured not in STRUCTURED_MODES:
            raise ProviderError(config.name, f"structured must be one of "
                                f"{', '.join(STRUCTURED_MODES)}, got {structured!r}")
        models = config.options.get("models") or []
        if not isinstance(models, list) or not all(isinstance(m, str) for m in models):
            raise ProviderError(config.name, "models must be a list of model names")
        if not config.endpoint:
            config = replace(config, endpoint=ENDPOINT)
        # max_tokens: what every such server takes; max_completion_tokens is newer.
        return CompatibleClient(provider=config.name,
                                http=OpenAIHttp(config, headers=bearer(key)), info=INFO,
                                credential=ENV_KEY, secret=key, max_tokens_field="max_tokens",
                                default_model=models[0] if models else "",
                                structured=structured)


OPENAI_COMPATIBLE = CompatiblePlugin()
