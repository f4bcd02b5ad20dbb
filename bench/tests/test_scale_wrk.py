"""The scale bench's load comes from wrk: a Lua script per page draws each request's path
from the page's sample, sends it from an address of its own with the page's session, and
counts every wrong answer; the bench reads the totals and latencies wrk's ``done()`` wrote."""

import json
import os
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from bench.scale import wrk
from bench.scale.wrk import LoadSpec, lua_script, lua_string, parse_result

# what done() wrote in a run on the bench's machine: /bench/ceiling, 8 connections, 4 s
CAPTURED = (
    '{"requests": 17131, "duration_us": 4002372, "p50_us": 1711, "p95_us": 3391, '
    '"errors": 0, "socket_errors": 0, "timeouts": 0, "sample": []}\n'
)


def test_wrk_result_is_read_from_what_done_wrote():
    result = parse_result(CAPTURED)
    assert result.requests == 17131 and result.errors == 0 and result.sample == []
    assert result.per_second == pytest.approx(4280.2, abs=0.1)
    assert (result.p50_ms, result.p95_ms) == (1.711, 3.391)


def test_a_visit_of_two_requests_counts_once_and_socket_failures_are_errors():
    text = json.dumps(
        {
            "requests": 1000,
            "duration_us": 10_000_000,
            "p50_us": 50_000,
            "p95_us": 90_000,
            "errors": 2,
            "socket_errors": 1,
            "timeouts": 3,
            "sample": ["status 500", "302 to /track/?number=X"],
        }
    )
    result = parse_result(text, requests_per_visit=2)
    assert result.per_second == 50.0 and result.errors == 6
    assert result.sample == [
        "status 500",
        "302 to /track/?number=X",
        "1 socket errors, 3 timeouts (wrk)",
    ]


def test_lua_strings_escape_quotes_backslashes_and_non_ascii():
    assert lua_string('a"b\\c') == '"a\\034b\\092c"'
    assert lua_string("开") == '"\\229\\188\\128"'  # its UTF-8 bytes


def test_a_get_page_script_holds_its_paths_and_its_session():
    spec = LoadSpec(paths=["/work/cases/BB1/", "/items/?q=%E5%BC%80"], cookies={"sessionid": "s1"})
    script = lua_script(spec, "/tmp/x/result.json")
    assert 'local paths = {\n  "/work/cases/BB1/",\n  "/items/?q=%E5%BC%80",\n}' in script
    assert 'local cookie = "sessionid=s1"' in script
    assert 'local result_file = "/tmp/x/result.json"' in script
    assert 'headers["X-Forwarded-For"] = address()' in script
    assert "function done(summary, latency, requests)" in script
    with pytest.raises(ValueError):
        lua_script(LoadSpec(), "r.json")


def test_a_form_page_script_posts_a_drawn_body_and_follows_the_redirect():
    spec = LoadSpec(
        cookies={"csrftoken": "c"},
        form_path="/track/",
        forms=["number=BB1&phone=1&csrfmiddlewaretoken=t"],
        redirect_prefix="/track/",
    )
    script = lua_script(spec, "r.json")
    assert spec.requests_per_visit == 2
    assert 'local forms = {\n  "number=BB1&phone=1&csrfmiddlewaretoken=t",\n}' in script
    assert 'wrk.format("POST", form_path, headers, forms[math.random(#forms)])' in script
    assert 'wrk.format("GET", visit.location, headers)' in script


def test_the_command_is_2_threads_with_the_connections_and_whole_seconds():
    line = wrk.command("wrk", "http://h:1", "s.lua", concurrency=8, seconds=4.2)
    assert line == [
        "wrk",
        "--threads=2",
        "--connections=8",
        "--duration=5s",
        "--timeout=60s",
        "--latency",
        "--script=s.lua",
        "http://h:1",
    ]
    assert "--threads=1" in wrk.command("wrk", "u", "s", concurrency=1, seconds=1)


# --- wrk itself, against a small server that records what it was sent ---------------------


class _Recorder(BaseHTTPRequestHandler):
    seen: list = []
    lock = threading.Lock()

    def log_message(self, *args):
        pass

    def _answer(self, status, headers=(), body=b"ok"):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        with self.lock:
            self.seen.append(("GET", self.path, dict(self.headers)))
        if self.path.startswith("/track/"):  # the result page, with the session the POST set
            ok = "sessionid=" + self.path.split("/")[2] in self.headers.get("Cookie", "")
            self._answer(200 if ok else 403, body=b"result")
        else:
            self._answer(500 if self.path == "/broken" else 200)

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        with self.lock:
            self.seen.append(("POST", self.path, dict(self.headers), body))
        number = parse_qs(body)["number"][0]
        if number == "missing":  # a failed lookup: the form again
            self._answer(200, body=b'<form method="post" action="/track/">')
        else:
            headers = [("Location", f"/track/{number}/"), ("Set-Cookie", f"sessionid={number}")]
            self._answer(302, headers)


@pytest.fixture
def recorder():
    _Recorder.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.handle_error = lambda request, address: None  # wrk hangs up when its time is up
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.seen
    server.shutdown()
    server.server_close()


# CI installs wrk (.ci/run runs scripts/wrk-install); a developer without it is told how
needs_wrk = pytest.mark.skipif(
    shutil.which("wrk") is None and os.environ.get("CI", "").lower() not in {"1", "true", "yes"},
    reason="没有 wrk：bash scripts/wrk-install",
)


@needs_wrk
def test_wrk_draws_each_path_from_the_list_from_an_address_of_its_own(recorder):
    url, seen = recorder
    spec = LoadSpec(paths=["/a", "/b", "/c"], cookies={"sessionid": "staff"})
    result = wrk.run(shutil.which("wrk"), url, spec, concurrency=2, seconds=1)
    assert result.errors == 0 and result.requests >= 20 and result.per_second > 0
    assert {path for _, path, _ in seen} == {"/a", "/b", "/c"}
    addresses = [headers["X-Forwarded-For"] for _, _, headers in seen]
    assert len(set(addresses)) > 0.95 * len(addresses)
    assert all(address.startswith("10.") for address in addresses)
    assert {headers["Cookie"] for _, _, headers in seen} == {"sessionid=staff"}


@needs_wrk
def test_wrk_counts_a_wrong_status_as_an_error(recorder):
    url, _ = recorder
    spec = LoadSpec(paths=["/fine", "/broken"])
    result = wrk.run(shutil.which("wrk"), url, spec, concurrency=2, seconds=1)
    assert 0 < result.errors < result.requests
    assert result.sample[0] == "status 500"


@needs_wrk
def test_wrk_posts_the_form_then_fetches_the_result_with_the_session_it_set(recorder):
    url, seen = recorder
    spec = LoadSpec(
        cookies={"csrftoken": "c"},
        form_path="/track/",
        forms=["number=BB1&phone=1", "number=BB2&phone=2"],
        redirect_prefix="/track/",
    )
    result = wrk.run(shutil.which("wrk"), url, spec, concurrency=2, seconds=1)
    assert result.errors == 0 and result.requests >= 20
    posts = [entry for entry in seen if entry[0] == "POST"]
    gets = [entry for entry in seen if entry[0] == "GET"]
    assert {body for *_, body in posts} == {"number=BB1&phone=1", "number=BB2&phone=2"}
    assert all(headers["Cookie"] == "csrftoken=c" for _, _, headers, _ in posts)
    assert {path for _, path, _ in gets} == {"/track/BB1/", "/track/BB2/"}
    assert abs(len(posts) - len(gets)) <= 2  # a visit cut off at the end, per connection

    failing = LoadSpec(form_path="/track/", forms=["number=missing"], redirect_prefix="/track/")
    result = wrk.run(shutil.which("wrk"), url, failing, concurrency=1, seconds=1)
    assert result.errors == result.requests > 0
    assert result.sample[0] == "the form again (200): the lookup failed"
