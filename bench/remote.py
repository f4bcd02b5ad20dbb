"""``python -m bench.remote``: remote help's signalling under load, on one ASGI worker.

One daphne process (``daphne bangban.asgi:application``, as the scale profile runs it beside
gunicorn; in-memory channel layer, or Redis with ``--redis URL``) on a throw-away SQLite
database with ``--sessions`` live sessions. Both parties of every session join over
WebSockets with real login cookies, then each asker sends WebRTC-sized signalling
messages (an ICE candidate of ~200 bytes) at ``--rate`` a second for ``--seconds``; the
expert's socket receives each through the channel layer. Figures: sockets held, messages
relayed a second, latency p50/p95/max from send to receipt, daphne's memory after the run.
The load generator is asyncio in this process (a minimal WebSocket client below, no extra
package). Results go in docs/BENCHMARKS.md, "Remote help signalling".
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import signal
import socket
import statistics
import struct
import subprocess
import sys
import time
from pathlib import Path

from . import throwaway_django

BASE_DIR = Path(__file__).resolve().parent.parent


# --- a minimal WebSocket client (RFC 6455: text frames, masked, no extensions) ------------


class Socket:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int, path: str, cookie: str) -> Socket:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            (
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                f"Sec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1:{port}\r\n"
                f"Cookie: {cookie}\r\n\r\n"
            ).encode()
        )
        head = await reader.readuntil(b"\r\n\r\n")
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise RuntimeError(head.decode(errors="replace"))
        return cls(reader, writer)

    def send(self, text: str) -> None:
        data = text.encode()
        mask = os.urandom(4)
        length = len(data)
        if length < 126:
            header = struct.pack("!BB", 0x81, 0x80 | length)
        else:
            header = struct.pack("!BBH", 0x81, 0x80 | 126, length)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.writer.write(header + mask + masked)

    async def receive(self) -> str | None:
        first, second = await self.reader.readexactly(2)
        length = second & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", await self.reader.readexactly(2))
        elif length == 127:
            (length,) = struct.unpack("!Q", await self.reader.readexactly(8))
        data = await self.reader.readexactly(length)
        if first & 0x0F == 0x8:  # close
            return None
        return data.decode(errors="replace")

    def close(self) -> None:
        self.writer.close()


# --- the world ----------------------------------------------------------------------------


def make_sessions(count: int) -> tuple[list[int], str, str]:
    """``count`` live sessions between one village agent and one county agent; their cookies."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from bangban.network.models import Site, SiteLevel
    from bangban.remote.models import AskerKind, HelpRequest, HelpSession, RequestState
    from bangban.staff.models import StaffMember

    county = Site.objects.create(name="县中心", code="BC", level=SiteLevel.COUNTY)
    village = Site.objects.create(name="村站", code="BV", level=SiteLevel.VILLAGE, parent=county)
    users = []
    for name, site in (("bench_asker", village), ("bench_expert", county)):
        user = get_user_model().objects.create_user(name, password="x")
        users.append(StaffMember.objects.create(user=user, site=site, name=name, is_agent=True))
    asker, expert = users
    now = timezone.now()
    ids = []
    for n in range(count):
        request = HelpRequest.objects.create(
            asker_kind=AskerKind.STAFF,
            asker_staff=asker,
            asker_name=asker.name,
            site=village,
            ring_site=county,
            question=f"压测 {n}",
            state=RequestState.ANSWERED,
            asked_at=now,
            answered_at=now,
            wait_seconds=0,
        )
        ids.append(HelpSession.objects.create(request=request, expert=expert, started_at=now).pk)
    cookies = []
    for member in users:
        client = Client()
        client.force_login(member.user)
        cookies.append(f"sessionid={client.cookies['sessionid'].value}")
    return ids, cookies[0], cookies[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_daphne(port: int, redis: str) -> subprocess.Popen:
    env = {**os.environ, "BANGBAN_REDIS_URL": redis, "BANGBAN_LOG_LEVEL": "WARNING"}
    daphne = str(Path(sys.executable).parent / "daphne")
    process = subprocess.Popen(
        [daphne, "-b", "127.0.0.1", "-p", str(port), "-v", "0", "bangban.asgi:application"],
        cwd=BASE_DIR,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("daphne did not start")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# --- the load -----------------------------------------------------------------------------


async def run_load(port, ids, asker_cookie, expert_cookie, rate, seconds) -> dict:
    pairs = []
    for pk in ids:
        path = f"/ws/remote/sessions/{pk}/"
        expert = await Socket.open(port, path, expert_cookie)
        asker = await Socket.open(port, path, asker_cookie)
        pairs.append((asker, expert))
    latencies: list[float] = []
    sent = 0
    padding = "x" * 160  # an ICE candidate line is about this long

    async def listen(expert: Socket, until: float):
        while True:
            text = await expert.receive()
            if text is None:
                return
            message = json.loads(text)
            if message.get("kind") != "signal":
                continue
            if message["candidate"].get("last"):
                return
            latencies.append(time.perf_counter() - message["candidate"]["t"])

    async def talk(asker: Socket, until: float, offset: float):
        nonlocal sent
        await asyncio.sleep(offset)
        while time.perf_counter() < until:
            candidate = {"t": time.perf_counter(), "candidate": padding}
            asker.send(json.dumps({"kind": "signal", "candidate": candidate}))
            sent += 1
            await asyncio.sleep(1 / rate)
        asker.send(
            json.dumps({"kind": "signal", "candidate": {"t": time.perf_counter(), "last": 1}})
        )

    start = time.perf_counter()
    until = start + seconds
    listeners = [asyncio.create_task(listen(e, until)) for _, e in pairs]
    talkers = [talk(a, until, i / len(pairs) / rate) for i, (a, _) in enumerate(pairs)]
    await asyncio.gather(*talkers)
    await asyncio.wait(listeners, timeout=10)
    elapsed = time.perf_counter() - start
    for asker, expert in pairs:
        asker.close()
        expert.close()
    latencies.sort()
    return {
        "sessions": len(pairs),
        "sockets": 2 * len(pairs),
        "sent": sent,
        "received": len(latencies),
        "per_second": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies) if latencies else None,
        "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))] if latencies else None,
        "max_ms": 1000 * latencies[-1] if latencies else None,
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--rate", type=float, default=5, help="messages a second per session")
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--redis", default="", help="a Redis URL for the channel layer")
    args = parser.parse_args(argv)

    throwaway_django("bangban-bench-remote-")
    ids, asker_cookie, expert_cookie = make_sessions(max(args.sessions))
    port = free_port()
    daphne = start_daphne(port, args.redis)
    layer = "Redis" if args.redis else "in-memory"
    print(
        "| sessions (sockets) | layer | sent | relayed/s | p50 ms | p95 ms | max ms | daphne RSS |"
    )
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    try:
        for count in args.sessions:
            result = asyncio.run(
                run_load(port, ids[:count], asker_cookie, expert_cookie, args.rate, args.seconds)
            )
            lost = result["sent"] - result["received"]
            print(
                f"| {count} ({result['sockets']}) | {layer} | {result['sent']} | "
                f"{result['per_second']:.0f} | {result['p50_ms']:.1f} | {result['p95_ms']:.1f} | "
                f"{result['max_ms']:.1f} | {rss_mb(daphne.pid):.0f} MB |"
                + (f" lost {lost}" if lost else "")
            )
    finally:
        daphne.send_signal(signal.SIGTERM)
        try:
            daphne.wait(timeout=10)
        except subprocess.TimeoutExpired:
            daphne.kill()


if __name__ == "__main__":
    main()
