"""The provider HTTP client against a local server: retries and their waits, the
idempotency key, errors that carry the provider's message and never a secret."""

from __future__ import annotations

import contextlib
import email.utils
import gzip
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from shotline.providers import http
from shotline.providers.http import HttpClient, retry_after
from shotline.providers.protocols import ProviderConfig, ProviderError
from tests.providers.fakeserver import FakeService, Reply, Seen

SECRET = "sk-SECRET-0123456789abcdef"


# One local server for the module (stopping one takes up to half a second); each test
# gives it its own handler and starts with an empty record of requests.
_server: dict[str, Any] = {}


@pytest.fixture(scope="module", autouse=True)
def _shared_server() -> Iterator[None]:
    def dispatch(seen: Seen) -> Reply:
        handler: Callable[[Seen], Reply] = _server["handler"]
        return handler(seen)

    service = FakeService(dispatch).start()
    _server["service"] = service
    yield
    service.stop()
    _server.clear()


@contextmanager
def serving(handler: Callable[[Seen], Reply]) -> Iterator[FakeService]:
    service: FakeService = _server["service"]
    _server["handler"] = handler
    service.seen.clear()
    yield service


def config(url: str, **changes: Any) -> ProviderConfig:
    values: dict[str, Any] = {"name": "t", "endpoint": url, "retries": 2, "backoff_s": 0.01,
                              "timeout_s": 0.5}
    values.update(changes)
    return ProviderConfig(**values)


def script(*replies: Reply) -> Callable[[Seen], Reply]:
    """Answer with the replies in order, the last one from then on."""
    queue = list(replies)

    def handle(seen: Seen) -> Reply:
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return handle


@pytest.fixture
def waits() -> list[float]:
    return []


def client(url: str, waits: list[float], **changes: Any) -> HttpClient:
    return HttpClient(config(url, **changes), sleep=waits.append)


def test_a_200_passes_through(waits: list[float]) -> None:
    with serving(script(Reply(200, {"ok": True}, {"X-Request-Id": "r-1"}))) as service:
        answer = client(service.url, waits).request("POST", "/v1/things", json={"a": 1},
                                                    params={"q": "x"})
        assert answer.status_code == 200 and answer.json() == {"ok": True}
        assert answer.headers["x-request-id"] == "r-1"
        [seen] = service.seen
        assert (seen.method, seen.path, seen.query, seen.json()) == ("POST", "/v1/things",
                                                                     {"q": ["x"]}, {"a": 1})
    assert waits == []


def test_json_reads_the_answer_and_refuses_what_is_not_json(waits: list[float]) -> None:
    with serving(script(Reply(200, {"n": 2}), Reply(200, b"<html>oops</html>"))) as service:
        api = client(service.url, waits)
        assert api.json("GET", "/a") == {"n": 2}
        with pytest.raises(ProviderError, match="not JSON"):
            api.json("GET", "/b")


def test_429_with_retry_after_seconds_waits_as_asked(waits: list[float]) -> None:
    with serving(script(Reply(429, {"error": {"message": "slow down"}}, {"Retry-After": "2"}),
                        Reply(200, {"ok": True}))) as service:
        assert client(service.url, waits).request("GET", "/x").json() == {"ok": True}
        assert len(service.seen) == 2
    assert waits == [2.0]


def test_retry_after_as_an_http_date(waits: list[float]) -> None:
    when = email.utils.formatdate(time.time() + 5, usegmt=True)
    with serving(script(Reply(503, b"busy", {"Retry-After": when}),
                        Reply(200, {"ok": True}))) as service:
        client(service.url, waits).request("GET", "/x")
    [wait] = waits
    assert 3.0 <= wait <= 5.5


def test_retry_after_ms(waits: list[float]) -> None:
    with serving(script(Reply(429, b"", {"retry-after-ms": "1500", "Retry-After": "9"}),
                        Reply(200, {"ok": True}))) as service:
        client(service.url, waits).request("GET", "/x")
    assert waits == [1.5]


def test_5xx_every_time_fails_after_retries_plus_one_attempts(waits: list[float]) -> None:
    with serving(script(Reply(503, {"error": {"message": "overloaded"}}))) as service:
        with pytest.raises(ProviderError) as caught:
            client(service.url, waits, retries=3).request("POST", "/x", json={})
        assert len(service.seen) == 4
    error = caught.value
    assert error.status == 503 and error.retryable and error.provider == "t"
    assert "overloaded" in str(error) and str(error).startswith("t: ")
    assert len(waits) == 3  # no wait after the last attempt


def test_backoff_doubles_with_jitter_without_retry_after(waits: list[float]) -> None:
    with serving(script(Reply(502, b"bad gateway"))) as service:
        api = client(service.url, waits, retries=3, backoff_s=0.1)
        with pytest.raises(ProviderError):
            api.request("GET", "/x")
    assert len(waits) == 3
    for attempt, wait in enumerate(waits):
        base = 0.1 * 2 ** attempt
        assert base <= wait <= base * 1.5


@pytest.mark.parametrize("status", [408, 409, 425, 429, 500, 502, 503, 504, 529])
def test_retryable_statuses(status: int, waits: list[float]) -> None:
    with serving(script(Reply(status, b"again"), Reply(200, b"done"))) as service:
        assert client(service.url, waits).request("GET", "/x").text == "done"
        assert len(service.seen) == 2


@pytest.mark.parametrize(("status", "body", "message"), [
    (400, {"error": {"message": "prompt too long", "type": "invalid_request"}},
     "prompt too long"),
    (401, {"error": {"message": "bad credentials"}}, "bad credentials"),
    (404, {"error": "no such model"}, "no such model"),
    (422, {"detail": "size must be 1024x1024"}, "size must be 1024x1024"),
    (403, {"message": "AccessDenied"}, "AccessDenied"),
    (400, b"plain text trouble", "plain text trouble"),
])
def test_a_4xx_fails_at_once_with_the_providers_message(
        status: int, body: Any, message: str, waits: list[float]) -> None:
    with serving(script(Reply(status, body))) as service:
        with pytest.raises(ProviderError) as caught:
            client(service.url, waits).request("POST", "/x", json={})
        assert len(service.seen) == 1
    assert waits == []
    error = caught.value
    assert error.status == status and not error.retryable
    assert message in str(error) and f"({status})" in str(error)


def test_a_long_error_body_is_cut_short(waits: list[float]) -> None:
    with serving(script(Reply(400, {"error": {"message": "x" * 5000}}))) as service:
        api = client(service.url, waits)
        with pytest.raises(ProviderError) as caught:
            api.request("GET", "/x")
    assert len(str(caught.value)) < 400


def test_the_idempotency_key_is_the_same_on_every_attempt(waits: list[float]) -> None:
    with serving(script(Reply(500, b""), Reply(529, b""), Reply(200, b"ok"))) as service:
        client(service.url, waits).request("POST", "/x", json={"a": 1},
                                           idempotency_key="call-42")
        keys = [s.headers.get("idempotency-key") for s in service.seen]
        bodies = [s.body for s in service.seen]
    assert keys == ["call-42"] * 3
    assert len(set(bodies)) == 1


def test_the_idempotency_header_name_may_change(waits: list[float]) -> None:
    with serving(script(Reply(200, b"ok"))) as service:
        client(service.url, waits).request("POST", "/x", idempotency_key="k",
                                           idempotency_header="X-Client-Token")
        [seen] = service.seen
    assert seen.headers["x-client-token"] == "k" and "idempotency-key" not in seen.headers


def test_sign_sees_every_attempt(waits: list[float]) -> None:
    signed: list[str] = []

    def sign(request: httpx.Request) -> None:
        request.headers["X-Signature"] = f"sig-{len(signed)}"
        signed.append(str(request.url))

    with serving(script(Reply(503, b""), Reply(200, b"ok"))) as service:
        api = HttpClient(config(service.url), sign=sign, sleep=waits.append)
        api.request("GET", "/x")
        assert [s.headers["x-signature"] for s in service.seen] == ["sig-0", "sig-1"]


def test_a_secret_never_shows_in_errors_or_reprs(waits: list[float]) -> None:
    auth = {"Authorization": f"Bearer {SECRET}"}
    with serving(script(Reply(401, {"error": {"message": "invalid token"}}))) as service:
        settings = config(service.url, secrets={"ACME_API_KEY": SECRET})
        api = HttpClient(settings, headers=auth, sleep=waits.append)
        with pytest.raises(ProviderError) as caught:
            api.request("GET", "/x", headers=auth)
        assert service.seen[0].headers["authorization"] == f"Bearer {SECRET}"
    for shown in (str(caught.value), repr(caught.value), repr(settings), str(settings),
                  repr(api)):
        assert SECRET not in shown
    assert settings.secret("ACME_API_KEY") == SECRET


def test_a_missing_secret_names_the_variable_to_set() -> None:
    with pytest.raises(ProviderError, match="ACME_API_KEY"):
        config("http://127.0.0.1:9").secret("ACME_API_KEY")


def test_a_secret_echoed_by_the_server_is_kept_out_of_the_error(waits: list[float]) -> None:
    def echo(seen: Seen) -> Reply:
        return Reply(401, {"error": {"message": f"Incorrect API key provided: "
                                                f"{seen.headers['authorization'][7:]}"}})

    with serving(echo) as service:
        api = HttpClient(config(service.url, secrets={"ACME_API_KEY": SECRET}),
                         headers={"Authorization": f"Bearer {SECRET}"}, sleep=waits.append)
        with pytest.raises(ProviderError) as caught:
            api.request("GET", "/x")
    assert SECRET not in str(caught.value)


def test_a_timeout_is_retried_then_reported(waits: list[float]) -> None:
    with serving(script(Reply(200, b"late", delay_s=0.6))) as service:
        with pytest.raises(ProviderError) as caught:
            client(service.url, waits, timeout_s=0.2).request("GET", "/slow")
        assert len(service.seen) == 3
    assert "no answer within 0.2 s" in str(caught.value) and "/slow" in str(caught.value)
    assert caught.value.retryable and len(waits) == 2


def test_a_timeout_then_an_answer_succeeds(waits: list[float]) -> None:
    with serving(script(Reply(200, b"late", delay_s=0.6), Reply(200, b"ok"))) as service:
        assert client(service.url, waits, timeout_s=0.2).request("GET", "/x").text == "ok"
    assert len(waits) == 1


@pytest.fixture
def closed_port() -> Iterator[int]:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    yield port


def test_connection_refused_is_retried_then_cannot_reach(closed_port: int,
                                                         waits: list[float]) -> None:
    url = f"http://127.0.0.1:{closed_port}"
    with pytest.raises(ProviderError) as caught:
        client(url, waits).request("GET", "/x")
    assert f"cannot reach {url}" in str(caught.value)
    assert caught.value.retryable and len(waits) == 2


def test_a_retry_after_beyond_a_minute_gives_up_at_once(waits: list[float]) -> None:
    with serving(script(Reply(429, b"", {"Retry-After": "3600"}))) as service:
        with pytest.raises(ProviderError) as caught:
            client(service.url, waits).request("GET", "/x")
        assert len(service.seen) == 1
    assert waits == []
    assert "3600" in str(caught.value) and caught.value.status == 429
    assert caught.value.retryable


def test_a_body_larger_than_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch,
                                                 waits: list[float]) -> None:
    monkeypatch.setattr(http, "MAX_BODY", 64)
    with serving(script(Reply(200, b"x" * 65), Reply(200, b"y" * 64))) as service:
        api = client(service.url, waits)
        with pytest.raises(ProviderError, match="larger than"):
            api.request("GET", "/big")
        assert api.request("GET", "/fits").content == b"y" * 64


@contextmanager
def raw_server(answer: Callable[[socket.socket], None]) -> Iterator[str]:
    """A server that writes whatever `answer` writes on the socket, for answers the
    well-behaved fake server cannot give (lying lengths, endless chunked bodies)."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)  # the request; these tests send one small GET
            with contextlib.suppress(OSError):  # the client hung up, as it should
                answer(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        listener.close()
        thread.join(10)


def test_a_declared_length_over_the_limit_is_refused_before_the_body(
        monkeypatch: pytest.MonkeyPatch, waits: list[float]) -> None:
    """The body never comes: had the client started reading it, it would time out."""
    monkeypatch.setattr(http, "MAX_BODY", 1024)

    def answer(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\nxx")
        time.sleep(3)

    with raw_server(answer) as url, pytest.raises(ProviderError, match="larger than") as caught:
        client(url, waits, retries=0, timeout_s=2.0).request("GET", "/big")
    assert "no answer" not in str(caught.value)


def test_an_endless_body_without_a_length_is_cut_off_at_the_limit(
        monkeypatch: pytest.MonkeyPatch, waits: list[float]) -> None:
    monkeypatch.setattr(http, "MAX_BODY", 64 * 1024)
    sent = [0]
    total = 256 * 1024 * 1024

    def answer(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"%x\r\n" % 65536 + b"z" * 65536 + b"\r\n"
        while sent[0] < total:
            conn.sendall(chunk)
            sent[0] += 65536
        conn.sendall(b"0\r\n\r\n")

    with raw_server(answer) as url, pytest.raises(ProviderError, match="larger than"):
        client(url, waits, retries=0, timeout_s=5.0).request("GET", "/endless")
    assert sent[0] < total // 4  # the client stopped reading; socket buffers hold the rest


def test_a_compressed_answer_is_measured_unpacked(monkeypatch: pytest.MonkeyPatch,
                                                  waits: list[float]) -> None:
    """A few kilobytes of gzip that unpack to megabytes (a zip bomb) are refused; an
    ordinary gzip answer reads as its plain bytes."""
    monkeypatch.setattr(http, "MAX_BODY", 1024 * 1024)
    bomb = gzip.compress(bytes(8 * 1024 * 1024))
    assert len(bomb) < 16 * 1024
    small = gzip.compress(b'{"ok": true}')
    with serving(script(Reply(200, bomb, {"Content-Encoding": "gzip"}),
                        Reply(200, small, {"Content-Encoding": "gzip",
                                           "Content-Type": "application/json"}))) as service:
        api = client(service.url, waits)
        with pytest.raises(ProviderError, match="larger than"):
            api.request("GET", "/bomb")
        answer = api.request("GET", "/small")
    assert answer.content == b'{"ok": true}' and answer.json() == {"ok": True}
    assert "content-encoding" not in answer.headers


def test_a_broken_compressed_answer_is_a_clear_error(waits: list[float]) -> None:
    broken = Reply(200, b"not gzip at all", {"Content-Encoding": "gzip"})
    with serving(script(broken)) as service, \
            pytest.raises(ProviderError, match="cannot be decoded"):
        client(service.url, waits).request("GET", "/x")


def test_a_huge_error_body_is_read_only_in_part(monkeypatch: pytest.MonkeyPatch,
                                               waits: list[float]) -> None:
    monkeypatch.setattr(http, "ERROR_BODY", 1024)
    long = Reply(400, {"error": {"message": "bad " + "x" * 100_000}})
    with serving(script(long)) as service, pytest.raises(ProviderError) as caught:
        client(service.url, waits).request("GET", "/x")
    assert caught.value.status == 400 and "bad xxx" in str(caught.value)
    assert len(str(caught.value)) < 400


def test_close_then_use_again(waits: list[float]) -> None:
    with serving(script(Reply(200, b"ok"))) as service:
        api = client(service.url, waits)
        api.request("GET", "/x")
        api.close()
        api.close()
        assert api.request("GET", "/x").text == "ok"


@pytest.mark.parametrize(("headers", "expected"), [
    ({}, None),
    ({"retry-after": "2"}, 2.0),
    ({"retry-after": "0.5"}, 0.5),
    ({"retry-after": "-3"}, 0.0),
    ({"retry-after-ms": "250"}, 0.25),
    ({"retry-after-ms": "250", "retry-after": "7"}, 0.25),
    ({"retry-after-ms": "soon", "retry-after": "7"}, 7.0),
    ({"retry-after": "whenever"}, None),
    ({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),  # in the past
])
def test_retry_after_values(headers: dict[str, str], expected: float | None) -> None:
    assert retry_after(headers) == expected


def test_retry_after_date_against_a_given_now() -> None:
    now = 1_700_000_000.0
    when = email.utils.formatdate(now + 30, usegmt=True)
    assert retry_after({"retry-after": when}, now=now) == pytest.approx(30.0)
    assert retry_after(httpx.Headers({"Retry-After": when}), now=now) == pytest.approx(30.0)
