"""Pictures and timings of every form (run on purpose, not in the normal suite):

    BANGBAN_FORM_SAMPLES=docs/forms .venv/bin/python -m pytest bangban/documents/tests/test_samples.py

writes ``<kind>.png`` (page 1 at 80 dpi, ``pdftoppm -r 80 -png``; ``<kind>-2.png`` … for
more pages) and the render times (median and p90 of 10 renders after 2 warm-up renders,
wall clock and CPU) to ``BANGBAN_FORM_TIMINGS`` or ``<dir>/timings.md``.
"""

import io
import logging
import os
import re
import statistics
import subprocess
import time
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFont

from bangban.cases.access import Actor
from bangban.cases.tests.helpers import act, open_case, to_handling
from bangban.documents import confirmations
from bangban.documents.kinds import KINDS, Kind
from bangban.documents.models import Letterhead
from bangban.documents.rendering import font_path, render_pdf

from .cases import issued
from .test_confirmations import drawn

OUT = os.environ.get("BANGBAN_FORM_SAMPLES")
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not OUT, reason="set BANGBAN_FORM_SAMPLES=<dir> to make the samples"),
]
RUNS, WARM_UP = 10, 2


def _logo() -> bytes:
    image = Image.new("RGBA", (160, 160), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.ellipse((4, 4, 156, 156), fill=(180, 24, 24), outline=(120, 0, 0), width=6)
    font = ImageFont.truetype(str(font_path()), 92)
    pen.text((80, 84), "帮", font=font, fill="white", anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _letterhead(world):
    letterhead = Letterhead(
        site=world.county,
        title="示范县政务服务中心",
        subtitle="“帮吾办”帮办代办服务 · 全程无偿",
        footer="地址：示范县人民路1号政务服务中心一楼帮办代办专区　电话：0512-12345678　监督投诉电话：12345",
        public_url="https://zwfw.example.gov.cn",
    )
    letterhead.logo.save("logo.png", ContentFile(_logo()), save=False)
    letterhead.save()


def _signed(world, kind, monkeypatch):
    """The pictures show each way of confirming: the entrustment signed on screen, the
    suspension slip confirmed by SMS code, the others signed on paper (blank lines)."""
    actor = Actor.of_staff(world.agent_a)
    if kind == Kind.ENTRUSTMENT:
        case = open_case(world)
        confirmations.confirm_with_signature(
            case=case, form="entrustment", actor=actor, data_url=drawn()
        )
        return case, case.documents.latest("id")
    if kind == Kind.SUSPENSION_SLIP:
        case = open_case(world)
        to_handling(case, world.agent_a)
        monkeypatch.setattr(confirmations.secrets, "randbelow", lambda n: 246810)
        confirmations.sms_code_send(case=case, form="suspension_slip", actor=actor)
        confirmations.sms_code_verify(case=case, form="suspension_slip", actor=actor, code="246810")
        act(case, world.agent_a, "suspend", reason_code="materials_overdue")
        return case, case.documents.latest("id")
    return issued(world, kind, render=False)


def test_samples_and_timings(world, caplog, monkeypatch):
    caplog.set_level(logging.WARNING)
    out = Path(OUT)
    out.mkdir(parents=True, exist_ok=True)
    _letterhead(world)
    rows = []
    for kind in Kind:
        _, document = _signed(world, kind, monkeypatch)
        info = KINDS[kind]
        codes = tuple(document.fields["site_codes"])
        pdf = b""
        for _ in range(WARM_UP):
            pdf = render_pdf(document.fields, info.template, codes)
        times, cpu = [], []
        for _ in range(RUNS):
            start, start_cpu = time.perf_counter(), time.process_time()
            pdf = render_pdf(document.fields, info.template, codes)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        pdf_path = out / f"{kind.value}.pdf"
        pdf_path.write_bytes(pdf)
        for old in out.glob(f"{kind.value}-*.png"):
            old.unlink()
        subprocess.run(
            ["pdftoppm", "-r", "80", "-png", str(pdf_path), str(out / kind.value)], check=True
        )
        pages = sorted(out.glob(f"{kind.value}-*.png"))
        for n, page in enumerate(pages, start=1):
            page.rename(out / (f"{kind.value}.png" if n == 1 else f"{kind.value}-{n}.png"))
        pdf_path.unlink()
        rows.append(
            (
                info.label,
                kind.value,
                len(pages),
                len(pdf),
                statistics.median(times),
                sorted(times)[int(len(times) * 0.9) - 1],
                statistics.median(cpu),
                min(times),
            )
        )
    lines = [
        f"<!-- {RUNS} renders after {WARM_UP} warm-up; load average {os.getloadavg()[0]:.1f} -->",
        "| 文书 | kind | 页数 | PDF 大小 | 中位数（墙钟） | p90（墙钟） | 最快（墙钟） | 中位数（CPU） |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, value, pages, size, median, p90, cpu_median, fastest in rows:
        lines.append(
            f"| {label} | `{value}` | {pages} | {size / 1024:.0f} KB | {median:.0f} ms "
            f"| {p90:.0f} ms | {fastest:.0f} ms | {cpu_median:.0f} ms |"
        )
    timings = Path(os.environ.get("BANGBAN_FORM_TIMINGS") or out / "timings.md")
    timings.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert all(re.match(r"^(\| |<!--)", line) for line in lines)
