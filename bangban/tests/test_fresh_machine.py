"""Finding 10: on a fresh machine the two commands install what the platform needs beyond
Python, or stop at once with the one command to run."""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SYSTEM_DEPS = ROOT / "scripts" / "system-deps"


def _shim(folder: Path, name: str, script: str) -> None:
    path = folder / name
    path.write_text("#!/bin/sh\n" + script + "\n")
    path.chmod(0o755)


def _run_as_plain_user(tmp_path, *, sudo_works: bool):
    """scripts/system-deps on a machine that lacks every package, as a user who is not root."""
    shims = tmp_path / "bin"
    shims.mkdir()
    calls = tmp_path / "calls"
    _shim(shims, "dpkg-query", "exit 1")  # nothing installed
    _shim(shims, "id", "echo 1000")
    _shim(shims, "apt-get", f'echo "apt-get $*" >> {calls}; exit 0')
    _shim(
        shims,
        "sudo",
        f'echo "sudo $*" >> {calls}; exit 0'
        if sudo_works
        else f'echo "sudo $*" >> {calls}; exit 1',
    )
    env = {**os.environ, "PATH": f"{shims}:{os.environ['PATH']}"}
    done = subprocess.run(
        ["bash", str(SYSTEM_DEPS)], env=env, capture_output=True, text=True, timeout=60
    )
    return done, calls.read_text() if calls.exists() else ""


def test_finding_10_without_root_or_sudo_it_stops_with_the_one_command(tmp_path):
    done, calls = _run_as_plain_user(tmp_path, sudo_works=False)
    assert done.returncode == 1
    assert "sudo bash scripts/system-deps" in done.stderr
    assert "fonts-wqy-zenhei" in done.stderr and "chromium" in done.stderr
    assert "apt-get" not in calls  # nothing half-installed


def test_finding_10_with_passwordless_sudo_it_installs_through_sudo(tmp_path):
    done, calls = _run_as_plain_user(tmp_path, sudo_works=True)
    assert done.returncode == 0, done.stderr
    assert "sudo -n bash" in calls and str(SYSTEM_DEPS) in calls


def test_finding_10_the_list_has_what_forms_browsers_and_backups_need():
    listed = SYSTEM_DEPS.read_text()
    for package in ("fonts-wqy-zenhei", "chromium", "poppler-utils", "rsync", "libpango"):
        assert package in listed


@pytest.mark.parametrize("target", ["run", "test"])
def test_finding_10_both_commands_install_the_system_packages_first(target):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}  # as if typed
    printed = subprocess.run(
        ["make", "--no-print-directory", "-n", "-B", target],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    assert printed.splitlines()[0].strip() == "bash scripts/system-deps"
