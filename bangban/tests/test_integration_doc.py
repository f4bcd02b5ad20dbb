"""docs/integration.md's curl examples run as written (issue 16: "curl examples that the
suite runs").

Every ```bash block of the document is one test: it runs with ``bash -euo pipefail``
against a live server (pytest-django's ``live_server``) on the fixture world, and must exit
0 (the examples use ``curl --fail-with-body``, so an error answer fails the block). The
block sees these environment variables, as the document's introduction says:

- ``BASE``: the server's address (``http://localhost:8081``), without a trailing slash;
- ``TOKEN``: a staff API token of the fixture world's agent (村A代办员, who owns ``CASE``);
- ``CASE``: the number of a case that exists and that the agent can see (just opened,
  a 代办 of 食品经营许可, state 已登记);
- ``PARTNER_ID`` / ``PARTNER_KEY``: a partner system's code and key
  (``bangban.partners.models.Partner``, with every scope, at the county, for the 市场监管
  department). A block that names them is skipped, saying why, while that model is absent.

A block is numbered by its section and its place there, e.g. ``§3-2``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from bangban.apiauth.tokens import token_create

DOC = Path(__file__).resolve().parents[2] / "docs" / "integration.md"
BLOCK = re.compile(r"^```bash\n(.*?)^```", re.M | re.S)
SECTION = re.compile(r"^## (\d+)\.", re.M)


def bash_blocks(text: str) -> list[tuple[str, str]]:
    """(id, script) for every ```bash block, numbered by its section: §3-1, §3-2 …"""
    found, counts = [], {}
    for match in BLOCK.finditer(text):
        sections = SECTION.findall(text, 0, match.start())
        section = sections[-1] if sections else "0"
        counts[section] = counts.get(section, 0) + 1
        found.append((f"§{section}-{counts[section]}", match.group(1)))
    return found


BLOCKS = bash_blocks(DOC.read_text(encoding="utf-8"))


def test_the_document_has_runnable_examples():
    assert BLOCKS, "docs/integration.md 没有 ```bash 示例"
    assert shutil.which("curl"), "缺少 curl（sudo bash scripts/system-deps）"


def _partner(world) -> tuple[str, str]:
    """A partner system's code and key, or skip while partners do not exist yet."""
    try:
        from bangban.partners.models import Partner, Scope
    except ImportError as missing:
        pytest.skip(f"示例需要对接系统（bangban.partners.models.Partner），尚不存在：{missing}")
    partner = Partner(
        name="县市场监管审批系统",
        code="scjg-approval",
        scopes=list(Scope.values),
        department=world.market,
        endpoint_url="http://127.0.0.1:9/hooks",
    )
    key = partner.rotate_secret()
    partner.save()
    partner.sites.add(world.county)
    return partner.code, key


def _server_clock(folder: Path) -> str:
    """A ``date`` that says the server's time for ``date +%s`` (the partner's signing
    timestamp): with the suite's clock moved (`make test-clock`) the live server's now is not
    the machine's, and a partner's clock agrees with the platform it reports to."""
    shim = folder / "date"
    shim.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = "+%s" ]; then echo {int(time.time())}; else exec /bin/date "$@"; fi\n'
    )
    shim.chmod(0o755)
    return str(folder)


@pytest.mark.parametrize("script", [s for _, s in BLOCKS], ids=[i for i, _ in BLOCKS])
def test_the_integration_doc_example_runs(script, live_server, world, tmp_path):
    from bangban.cases.tests.helpers import open_case

    case = open_case(world)
    _, token = token_create(staff=world.agent_a, name="对接文档示例")
    env = {
        **os.environ,
        "BASE": live_server.url.rstrip("/"),
        "TOKEN": token,
        "CASE": case.number,
        "PATH": _server_clock(tmp_path) + os.pathsep + os.environ.get("PATH", ""),
    }
    if "PARTNER_" in script:
        env["PARTNER_ID"], env["PARTNER_KEY"] = _partner(world)
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, (
        f"示例退出码 {done.returncode}\n--- 脚本 ---\n{script}\n"
        f"--- 输出 ---\n{done.stdout[-3000:]}\n--- 错误 ---\n{done.stderr[-3000:]}"
    )
