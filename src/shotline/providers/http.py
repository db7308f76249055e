"""HTTP for provider adapters: timeouts, retries with backoff on 429 and 5xx (and on
connections that failed before an answer), one idempotency key kept across a call's
retries so a retried request is never paid twice, and errors that never show a secret."""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from shotline.providers.protocols import ProviderConfig, ProviderError

RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 529})
MAX_WAIT_S = 60.0  # a Retry-After longer than this is not waited for
MAX_BODY = 512 * 1024 * 1024  # a provider answer larger than this is refused
ERROR_BODY = 64 * 1024  # of an error's body, enough for any provider's message
# Headers that describe the bytes on the wire, not the decoded body kept in memory.
_WIRE_ONLY = frozenset({"content-encoding", "content-length", "transfer-encoding"})


def retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds the server asked us to wait: Retry-After (seconds or an HTTP date), or
    the millisecond headers some APIs send."""
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (time.time() if now is None else now))


def _detail(response: httpx.Response) -> str:
    """The provider's own error message, short; bodies are JSON in every API we speak."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:300].strip()
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict):
            for key in ("message", "Message", "detail"):
                if isinstance(error.get(key), str):
                    return str(error[key])[:300]
        elif isinstance(error, str):
            return error[:300]
        for key in ("message", "Message"):
            if isinstance(body.get(key), str):
                return str(body[key])[:300]
    return response.text[:300].strip()


def _read_capped(response: httpx.Response, cap: int) -> tuple[bytes, bool]:
    """At most ``cap`` bytes of the decoded body, and whether that was all of it. The
    body is counted as it arrives, after decompression: a declared length can lie and
    a small gzip can unpack to gigabytes, so neither is trusted."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > cap:
            chunks.append(chunk[:len(chunk) - (size - cap)])
            return b"".join(chunks), False
        chunks.append(chunk)
    return b"".join(chunks), True


def _declared_length(response: httpx.Response) -> int | None:
    value = response.headers.get("content-length", "")
    if response.headers.get("content-encoding") or not value.isdigit():
        return None  # compressed: the decoded size is what counts, and it is unknown
    return int(value)


def _buffered(response: httpx.Response, body: bytes) -> httpx.Response:
    """The answer with its (decoded) body in memory, as adapters read it."""
    headers = [(k, v) for k, v in response.headers.multi_items()
               if k.lower() not in _WIRE_ONLY]
    return httpx.Response(response.status_code, headers=headers, content=body,
                          request=response.request)


@dataclass
class HttpClient:
    """One provider's connection. `sign` (for AWS) sees each request before it goes."""

    config: ProviderConfig
    headers: dict[str, str] = field(default_factory=dict, repr=False)
    sign: Callable[[httpx.Request], None] | None = None
    sleep: Callable[[float], None] = time.sleep
    transport: httpx.BaseTransport | None = None
    _client: httpx.Client | None = field(default=None, repr=False)

    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(
                base_url=self.config.endpoint, headers=self.headers,
                timeout=httpx.Timeout(self.config.timeout_s, connect=min(10.0,
                                                                          self.config.timeout_s)),
                transport=self.transport, follow_redirects=False, trust_env=False)
        return self._client

    def redact(self, text: str) -> str:
        """The text without any secret this client holds (some APIs echo a bad key)."""
        for secret in (*self.config.secrets.values(), *self.headers.values()):
            for part in {secret, *secret.split()}:  # "Bearer sk-…": the key alone too
                if len(part) >= 8:
                    text = text.replace(part, "[redacted]")
        return text

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _wait(self, attempt: int, response: httpx.Response | None) -> float:
        asked = retry_after(response.headers) if response is not None else None
        if asked is not None:
            return asked
        base = self.config.backoff_s * (2 ** attempt)
        return float(base + random.uniform(0, base / 2))  # jitter keeps clients apart

    def request(self, method: str, path: str, *, json: Any = None, content: bytes | None = None,
                params: Mapping[str, str] | None = None, headers: Mapping[str, str] | None = None,
                idempotency_key: str | None = None,
                idempotency_header: str = "Idempotency-Key") -> httpx.Response:
        """The answer to one request, retried as the server allows; ProviderError when it
        cannot be had. 4xx other than the retryable ones fail at once."""
        sent_headers = dict(headers or {})
        if idempotency_key and idempotency_header:
            sent_headers[idempotency_header] = idempotency_key
        name = self.config.name
        attempts = self.config.retries + 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            request = self._http().build_request(method, path, json=json, content=content,
                                                 params=params, headers=sent_headers)
            if self.sign is not None:
                self.sign(request)
            try:
                response = self._receive(request)
            except httpx.TimeoutException:
                if last:
                    raise ProviderError(name, f"no answer within {self.config.timeout_s:g} s "
                                        f"({method} {path})", retryable=True) from None
                self.sleep(self._wait(attempt, None))
                continue
            except httpx.TransportError as exc:
                if last:
                    raise ProviderError(name, f"cannot reach {self.config.endpoint}: "
                                        f"{type(exc).__name__}", retryable=True) from None
                self.sleep(self._wait(attempt, None))
                continue
            except httpx.DecodingError:
                raise ProviderError(name, f"the answer to {method} {path} cannot be "
                                    "decoded (a broken content encoding)") from None
            if response.status_code < 400:
                return response
            retryable = response.status_code in RETRY_STATUS
            if not retryable or last:
                what = "rate limited" if response.status_code == 429 else "refused"
                raise ProviderError(name, f"{what} ({response.status_code}): "
                                    f"{self.redact(_detail(response))}",
                                    status=response.status_code,
                                    retryable=retryable)
            wait = self._wait(attempt, response)
            if wait > MAX_WAIT_S:
                raise ProviderError(name, f"asked to wait {wait:.0f} s ({response.status_code}); "
                                    "try again later", status=response.status_code,
                                    retryable=True)
            self.sleep(wait)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _receive(self, request: httpx.Request) -> httpx.Response:
        """Send and read the answer, refusing one larger than MAX_BODY before it is all
        in memory; an error's body is cut to ERROR_BODY."""
        response = self._http().send(request, stream=True)
        try:
            ok = response.status_code < 400
            cap = MAX_BODY if ok else ERROR_BODY
            declared = _declared_length(response)
            if ok and declared is not None and declared > cap:
                raise self._too_large()
            body, whole = _read_capped(response, cap)
            if ok and not whole:
                raise self._too_large()
        finally:
            response.close()
        return _buffered(response, body)

    def _too_large(self) -> ProviderError:
        return ProviderError(self.config.name, "the answer is larger than "
                             f"{MAX_BODY // (1024 * 1024)} MiB")

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        try:
            return response.json()
        except ValueError:
            raise ProviderError(self.config.name, f"the answer to {method} {path} is not "
                                "JSON") from None
