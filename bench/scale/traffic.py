"""Logged-in HTTP clients with the standard library: the logins, and the "alone" timings.

A ``Browser`` is one visitor: its own cookies (a real session after a real login through
the form, with its CSRF token) and plain ``http.client`` requests. gunicorn's sync workers
close the connection after each answer, so every request opens a new one, as browsers
behind nginx would each have their own.

The platform limits lookups per address. Behind nginx each visitor has their own
(``BANGBAN_CLIENT_IP_HEADER=X-Forwarded-For``), so each request here comes from an address
of its own: otherwise the bench would only measure the rate limit answering 429.

A ``Page`` says how to make one request (or one short visit, e.g. the tracking form and
the page it leads to) and which answers count as success; ``measure`` runs it from
``concurrency`` threads for some seconds and returns the throughput and latencies. The
bench uses it for one client alone (the time a request takes, and the SQL count of each
answer); the load from many clients at once is wrk's (``bench.scale.wrk``, from the page's
``load``): Python clients on the same two cores would be the limit before the server.
"""

from __future__ import annotations

import http.client
import os
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

from .wrk import LoadSpec

TIMEOUT = 60
_CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class BenchError(Exception):
    """An answer the page should never give (any status not expected, any failure)."""


@dataclass
class Answer:
    status: int
    body: bytes
    location: str


class Browser:
    def __init__(self, base_url: str, cookies: dict[str, str] | None = None):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.cookies: dict[str, str] = dict(cookies or {})
        self.token = ""  # a form's CSRF token, for pages that post one
        self.queries = 0  # SQL statements of the answers so far (the bench's X-Bench-Queries)
        self.counted = False  # whether the server says (BANGBAN_BENCH_CEILING on)

    def request(self, method: str, path: str, form: dict | None = None) -> Answer:
        headers = {
            "Host": f"{self.host}:{self.port}",
            "X-Forwarded-For": _random_address(),
            "Accept-Encoding": "identity",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            counted = response.headers.get("X-Bench-Queries")
            if counted is not None:
                self.queries += int(counted)
                self.counted = True
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return Answer(response.status, content, response.headers.get("Location", ""))
        finally:
            connection.close()

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def csrf_token(self, path: str) -> str:
        """GET a form page: its CSRF cookie lands in the jar, its token is returned."""
        answer = self.get(path)
        found = _CSRF_FIELD.search(answer.body)
        if answer.status != 200 or not found:
            raise BenchError(f"no CSRF token on {path} ({answer.status})")
        return found.group(1).decode()

    def post_form(self, path: str, form: dict, *, token_from: str | None = None) -> Answer:
        token = self.csrf_token(token_from or path)
        return self.request("POST", path, {**form, "csrfmiddlewaretoken": token})


def _random_address() -> str:
    """A visitor's own address in 10.0.0.0/8, as nginx would append it."""
    return "10." + ".".join(str(random.randrange(1, 255)) for _ in range(3))


def login(base_url: str, username: str, password: str) -> dict[str, str]:
    """Log in through the staff login form; return the cookies of the real session."""
    browser = Browser(base_url)
    answer = browser.post_form(
        "/accounts/login/", {"username": username, "password": password, "next": "/work/"}
    )
    if answer.status != 302 or "sessionid" not in browser.cookies:
        raise BenchError(f"login as {username} failed ({answer.status})")
    return browser.cookies


# --- pages ------------------------------------------------------------------------------

# one visit: the browser (its own, per thread) and a random source; raises BenchError
Visit = Callable[[Browser, random.Random], None]


@dataclass
class Page:
    name: str  # as the report shows it
    visit: Visit
    cookies: dict[str, str] = field(default_factory=dict)  # whose session, if any
    prepare: Callable[[Browser], None] | None = None  # once per thread, before timing
    load: LoadSpec | None = None  # the same requests, as wrk sends them under load


def expect(answer: Answer, *statuses: int, what: str = "") -> Answer:
    if answer.status not in statuses:
        raise BenchError(f"{what or 'request'}: {answer.status}, expected {statuses}")
    return answer


def get_page(path: str | Callable[[random.Random], str]) -> Visit:
    """A visit that GETs one page (a fixed path or one drawn per visit) and wants 200."""

    def visit(browser: Browser, rng: random.Random) -> None:
        target = path(rng) if callable(path) else path
        expect(browser.get(target), 200, what=target)

    return visit


def get_pages(name: str, paths: list[str], cookies: dict[str, str] | None = None) -> Page:
    """A page GET from one of ``paths`` per request (alone and under wrk's load alike)."""
    cookies = dict(cookies or {})
    return Page(
        name,
        get_page(lambda rng: rng.choice(paths)),
        cookies,
        load=LoadSpec(paths=list(paths), cookies=cookies),
    )


# --- measuring ----------------------------------------------------------------------------


@dataclass
class Result:
    page: str
    concurrency: int
    seconds: float
    latencies: list[float]
    errors: list[str]
    load_before: float
    load_after: float
    loads: list[float] = field(default_factory=list)  # the 1-minute load, each second
    queries: list[int] = field(default_factory=list)  # SQL statements per visit

    @property
    def load(self) -> float:
        """The highest 1-minute load average seen during the run."""
        return max([self.load_before, self.load_after, *self.loads])

    @property
    def done(self) -> int:
        return len(self.latencies)

    @property
    def per_second(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def measure(base_url: str, page: Page, *, concurrency: int, seconds: float) -> Result:
    """Visit ``page`` from ``concurrency`` threads for ``seconds``; every visit is timed."""
    browsers = [Browser(base_url, page.cookies) for _ in range(concurrency)]
    for browser in browsers:  # sign-in forms, CSRF cookies: not part of what is timed
        if page.prepare:
            page.prepare(browser)
        page.visit(browser, random.Random())  # and one warm visit each
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    deadline = start + seconds

    queries: list[int] = []
    loads: list[float] = []
    finished = threading.Event()

    def run(browser: Browser, seed: int) -> None:
        rng = random.Random(seed)
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            before = browser.queries
            try:
                page.visit(browser, rng)
            except (BenchError, OSError, http.client.HTTPException) as error:
                with lock:
                    errors.append(str(error))
                continue
            took = time.perf_counter() - began
            with lock:
                latencies.append(took)
                if browser.counted:
                    queries.append(browser.queries - before)

    def sample_load() -> None:
        while not finished.wait(1.0):
            loads.append(os.getloadavg()[0])

    sampler = threading.Thread(target=sample_load, daemon=True)
    sampler.start()

    threads = [
        threading.Thread(target=run, args=(browser, n), daemon=True)
        for n, browser in enumerate(browsers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    finished.set()
    sampler.join()
    return Result(
        page=page.name,
        concurrency=concurrency,
        seconds=time.perf_counter() - start,
        latencies=latencies,
        errors=errors,
        load_before=load_before,
        load_after=os.getloadavg()[0],
        loads=loads,
        queries=queries,
    )
