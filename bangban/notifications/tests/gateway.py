"""A fake SMS gateway on 127.0.0.1 that honours ``Idempotency-Key`` like a real one should.

``requests`` is every POST it got; ``sent`` is what reached a phone, one entry per key.
``mode`` makes it misbehave for the crash tests: "drop" hangs up before sending anything,
"hold" sends and then waits before answering (the caller may be killed meanwhile).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeGateway:
    def __init__(self, token: str = "gw-token"):
        self.token = token
        self.requests: list[dict] = []
        self.sent: dict[str, tuple[str, str, str]] = {}
        self.mode = "normal"
        self.arrived = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                payload = json.loads(body or b"{}")
                gateway.requests.append(
                    {
                        **payload,
                        "idempotency_header": self.headers.get("Idempotency-Key"),
                        "authorization": self.headers.get("Authorization"),
                    }
                )
                mode = gateway.mode
                if mode == "drop":
                    gateway.arrived.set()
                    gateway.release.wait(60)
                    self.close_connection = True
                    return
                key = payload.get("id") or f"anonymous-{len(gateway.requests)}"
                with gateway._lock:
                    if key not in gateway.sent:
                        gateway.sent[key] = (
                            f"gw-{len(gateway.sent) + 1}",
                            payload["phone"],
                            payload["text"],
                        )
                    answer = {"ok": True, "id": gateway.sent[key][0]}
                if mode == "hold":
                    gateway.arrived.set()
                    gateway.release.wait(60)
                try:
                    data = json.dumps(answer).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the caller was killed while we held the answer
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/sms"

    def phones_reached(self) -> list[str]:
        return [phone for _, phone, _ in self.sent.values()]

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
