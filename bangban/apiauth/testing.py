"""A small client for API tests: JSON in and out, as one staff member's token or nobody."""

from __future__ import annotations

from django.test import Client

from .tokens import token_create


class ApiClient:
    def __init__(self, staff=None, client: Client | None = None):
        self.http = client or Client()
        self.headers = {}
        if staff is not None:
            _, raw = token_create(staff=staff, name="测试")
            self.headers["Authorization"] = f"Bearer {raw}"

    def get(self, path: str, **params):
        return self.http.get("/api" + path, params, headers=self.headers)

    def post(self, path: str, body=None):
        return self.http.post(
            "/api" + path, body or {}, content_type="application/json", headers=self.headers
        )

    def event(self, number: str, event: str, version: int | None = None, **details):
        """Send an event with the version just read, as a careful system would."""
        if version is None:
            version = self.get(f"/cases/{number}").json()["version"]
        body = {"event": event, "expected_version": version, "details": details}
        return self.post(f"/cases/{number}/events", body)
