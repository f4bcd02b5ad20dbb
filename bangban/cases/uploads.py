"""Checking and storing a material a client uploads: PDF, JPEG or PNG, told by content.

``material_upload`` is the one write: the portal's upload page (and any other face) hands it
the file and shows the ``UploadRefused`` sentence; each stored file is logged as a
``MaterialUpload``.

The file's name says nothing about what it is: a program renamed ``营业执照.pdf`` is still a
program. So the type is read from the first bytes (the "magic numbers" of each format) and
an image must also open as one. The name is never used to store the file: the stored name is
made here (case number, material, random part, the extension of the type found), so no
name can climb out of the upload folder. Names that try to (``..``, slashes, encoded
slashes, control characters) are refused all the same, as a sign of a crafted request.
Everything is checked before anything is written: a refused file leaves nothing behind.

The file is stored encrypted with the personal-data key (``clients.sealedfiles``, context
``case-material``), its name ending in ``.enc``; every reader takes the plain bytes from
``material_file_bytes`` and the name to offer from ``material_file_name``. A file stored
before encryption (no ``.enc``) is read as it is.
"""

from __future__ import annotations

import hashlib
import io
import secrets
from dataclasses import dataclass

from django.db import transaction

from bangban.clients import sealedfiles

from .models import Case, CaseMaterial, MaterialStatus, MaterialUpload
from .workflow import State

FILE_CONTEXT = "case-material"
MAX_BYTES = 10 * 1024 * 1024
MAX_LABEL = "10MB"
# (type, extension, the bytes a file of that type starts with)
SIGNATURES = (
    ("PDF", "pdf", b"%PDF-"),
    ("JPEG", "jpg", b"\xff\xd8\xff"),
    ("PNG", "png", b"\x89PNG\r\n\x1a\n"),
)
# Programs and archives people most often rename; named in the refusal so it makes sense.
KNOWN_OTHERS = (
    (b"MZ", "Windows 可执行程序"),
    (b"\x7fELF", "可执行程序"),
    (b"#!", "脚本程序"),
    (b"PK\x03\x04", "压缩包或 Office 文档"),
    (b"Rar!", "压缩包"),
)
ACCEPTED_LABEL = "PDF、JPG 或 PNG"
# While the case is open the client may still bring materials.
OPEN_STATES = frozenset(
    {
        State.RECEIVED,
        State.ASSESSING,
        State.REVIEWING,
        State.AWAITING_SUPPLEMENT,
        State.ACCEPTED,
        State.HANDLING,
    }
)


class UploadRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Checked:
    kind: str
    extension: str
    data: bytes
    sha256: str


def name_problem(name: str) -> str | None:
    """Why a client's file name is refused, or None. Only the name's shape is judged."""
    if not name or not name.strip():
        return "文件名为空，请重新选择文件"
    lowered = name.lower()
    if (
        ".." in name
        or "/" in name
        or "\\" in name
        or "%2f" in lowered
        or "%5c" in lowered
        or "%2e%2e" in lowered
        or any(ord(ch) < 32 for ch in name)
        or len(name) > 200
    ):
        return "文件名不合法（含有路径或特殊字符），请将文件改为普通名称后重新上传"
    return None


def sniff(head: bytes) -> tuple[str, str] | None:
    for kind, extension, magic in SIGNATURES:
        if head.startswith(magic):
            return kind, extension
    return None


def check(upload) -> Checked:
    """Read and judge an uploaded file; UploadRefused with a sentence for the client otherwise."""
    problem = name_problem(getattr(upload, "name", "") or "")
    if problem:
        raise UploadRefused(problem)
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise UploadRefused(f"文件过大（{size / 1024 / 1024:.1f}MB），单个文件不能超过{MAX_LABEL}")
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise UploadRefused(f"文件过大，单个文件不能超过{MAX_LABEL}")
    if not data:
        raise UploadRefused("文件是空的，请重新选择文件")
    found = sniff(data[:16])
    if found is None:
        other = next((label for magic, label in KNOWN_OTHERS if data.startswith(magic)), None)
        what = f"该文件实际是{other}，" if other else "无法识别该文件的内容，"
        raise UploadRefused(
            f"{what}只能上传{ACCEPTED_LABEL}格式的文件（以文件内容为准，修改文件名无效）"
        )
    kind, extension = found
    if kind in {"JPEG", "PNG"} and not _opens_as_image(data):
        raise UploadRefused(f"图片文件已损坏或不完整，请重新拍照或扫描后上传（{ACCEPTED_LABEL}）")
    if kind == "PDF" and b"%%EOF" not in data[-2048:]:
        raise UploadRefused("PDF 文件不完整，请重新导出或扫描后上传")
    return Checked(kind, extension, data, hashlib.sha256(data).hexdigest())


def _opens_as_image(data: bytes) -> bool:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except Exception:  # Pillow raises many kinds of error for a broken file
        return False
    return True


def stored_name(material: CaseMaterial, extension: str) -> str:
    number = "".join(ch for ch in material.case.number if ch.isalnum() or ch == "-")
    return f"{number}-{material.pk}-{secrets.token_hex(8)}.{extension}{sealedfiles.SUFFIX}"


def material_file_bytes(material: CaseMaterial) -> bytes:
    """The plain bytes of a material's electronic file (``FileNotFoundError`` if gone)."""
    return sealedfiles.read(material.file, FILE_CONTEXT)


def material_file_name(material: CaseMaterial) -> str:
    """The name its file is offered under: ``ZX-2026-0001-7-ab12….pdf`` (no folder, no ``.enc``)."""
    return sealedfiles.plain_name(material.file.name)


def may_upload(material: CaseMaterial) -> bool:
    """Whether a file may (still) be brought for ``material``: its case is open and the
    material has not been received."""
    return material.case.state in OPEN_STATES and material.status != MaterialStatus.RECEIVED


@transaction.atomic
def material_upload(*, material: CaseMaterial, upload) -> MaterialUpload:
    """Check the file, then store it under a name of our making and log it; all or nothing."""
    if not may_upload(material):
        raise UploadRefused(f"“{material.name}”已收取或办件当前不需要上传材料")
    checked = check(upload)
    material.file.save(
        stored_name(material, checked.extension),
        sealedfiles.sealed(checked.data, FILE_CONTEXT),  # encrypted at rest
        save=False,
    )
    material.save(update_fields=["file"])
    return MaterialUpload.objects.create(
        material=material,
        stored_name=material.file.name,
        kind=checked.kind,
        size=len(checked.data),
        sha256=checked.sha256,
    )


def latest_uploads(case: Case) -> dict[int, MaterialUpload]:
    """The newest upload of each material of ``case`` that has one, by material id."""
    latest = {}
    for upload in MaterialUpload.objects.filter(material__case=case).order_by("uploaded_at", "id"):
        latest[upload.material_id] = upload
    return latest


def brought_since(case: Case, since) -> set[int]:
    """The ids of the materials of ``case`` with a file uploaded at or after ``since`` (what a
    client brought after a one-time notice issued then)."""
    return {m for m, upload in latest_uploads(case).items() if upload.uploaded_at >= since}
