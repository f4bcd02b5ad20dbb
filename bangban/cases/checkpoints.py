"""Audit checkpoints (检查点): every case's head at one moment, kept and exported.

A hash chain shows that a case's events were not changed, but not that the case still has
all of them, nor that the case still exists: someone who deletes the newest events and
rewinds the case row (count, last hash, version, state) leaves a chain that verifies, and
so does someone who deletes a whole case. A checkpoint records, for every case, its
number, event count and last hash; ``audit verify`` then names any case that has gone,
has fewer events than the checkpoint counted, or another hash at that count.

- **Made** by ``bangban audit checkpoint`` and daily by ``tasks.make_audit_checkpoint``.
  The cases are streamed in ``pk`` order and written in zlib-compressed parts of
  ``PART_SIZE`` head lines (``AuditCheckpointPart``): memory stays bounded.
- **Sealed**: the header (time, suite, counts, the SM3 or SHA-256 digest of the head
  lines, the previous checkpoint's MAC) carries an HMAC under the audit key (HMAC-SM3 under
  the "sm" suite) and, when ``BANGBAN_AUDIT_SIGNING_KEY`` is set, an SM2 signature.
- **Exported** (``--export PATH``) as a JSON file the operator archives where the database's
  owner cannot rewrite it. The public key alone verifies it. The file is one JSON document
  laid out one head per line, so it is read line by line, never whole::

      {"format":…,"header":{…},"mac":…,"seal":…,"signature":…,"public_key":…,"heads":[
      [12,"BJ-C01-2026-000001",9,"5be1…"],
      …
      ]}

A checkpoint in the database can itself be deleted by whoever owns the database; that is
what the exported, signed file is for.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.utils import timezone

from . import signing
from .hashchain import StreamDigest, canonical, digest, make_seal, parse_seal, utc_time
from .models import AuditCheckpoint, AuditCheckpointPart, Case
from .sealing import audit_key, audit_keys, audit_scheme, public_key, signing_key

FORMAT = "bangban-audit-checkpoint/1"
PART_SIZE = 5000
CHUNK_SIZE = 2000
_HEADS_OPEN = b',"heads":['
_HEADS_CLOSE = b"]}"


class CheckpointError(Exception):
    """A checkpoint cannot be made, exported or read; the message is for the operator."""


@dataclass(frozen=True)
class Head:
    case_pk: int
    number: str
    count: int
    head: str


def head_line(head: Head) -> bytes:
    return canonical([head.case_pk, head.number, head.count, head.head])


def parse_head(line: bytes) -> Head:
    try:
        case_pk, number, count, last = json.loads(line)
    except (ValueError, TypeError) as error:
        raise CheckpointError(f"检查点中有无法解读的一行：{line[:80]!r}") from error
    if not (
        isinstance(case_pk, int)
        and isinstance(number, str)
        and isinstance(count, int)
        and isinstance(last, str)
    ):
        raise CheckpointError(f"检查点中有无法解读的一行：{line[:80]!r}")
    return Head(case_pk, number, count, last)


def header_of(checkpoint: AuditCheckpoint) -> dict:
    return {
        "format": FORMAT,
        "created_at": utc_time(checkpoint.created_at),
        "scheme": checkpoint.scheme,
        "cases": checkpoint.case_count,
        "events": checkpoint.event_count,
        "heads_digest": checkpoint.heads_digest,
        "prev": checkpoint.prev_mac,
    }


def complete_checkpoints():
    return AuditCheckpoint.objects.exclude(mac="").order_by("-created_at", "-pk")


def newest_checkpoint() -> AuditCheckpoint | None:
    return complete_checkpoints().first()


def make_checkpoint(*, chunk_size: int = CHUNK_SIZE, part_size: int = PART_SIZE):
    """Record every case's head now; return the sealed (and, with a key, signed) checkpoint."""
    scheme, key = audit_scheme(), audit_key()
    private = signing_key()
    if private:
        signing.public_key_of(private)  # a malformed key fails before anything is written
    previous = newest_checkpoint()
    checkpoint = AuditCheckpoint.objects.create(
        created_at=timezone.now(), scheme=scheme, prev_mac=previous.mac if previous else ""
    )
    try:
        stream = StreamDigest(scheme)
        lines: list[bytes] = []
        index = 0
        rows = (
            Case.objects.order_by("pk")
            .values_list("pk", "number", "event_count", "last_event_hash")
            .iterator(chunk_size=chunk_size)
        )
        for pk, number, count, last in rows:
            line = head_line(Head(pk, number, count, last))
            stream.update(line + b"\n")
            lines.append(line)
            checkpoint.case_count += 1
            checkpoint.event_count += count
            if len(lines) >= part_size:
                _write_part(checkpoint, index, lines)
                index, lines = index + 1, []
        if lines:
            _write_part(checkpoint, index, lines)
        checkpoint.heads_digest = stream.hexdigest()
        header = canonical(header_of(checkpoint))
        checkpoint.seal = make_seal(scheme, key)
        checkpoint.mac = digest(scheme, header, key)
        if private:
            checkpoint.signature = signing.sign(private, header)
            checkpoint.public_key = signing.public_key_of(private)
        checkpoint.save()
    except BaseException:
        AuditCheckpoint.objects.filter(pk=checkpoint.pk).delete()
        raise
    return checkpoint


def _write_part(checkpoint: AuditCheckpoint, index: int, lines: list[bytes]) -> None:
    AuditCheckpointPart.objects.create(
        checkpoint=checkpoint, index=index, data=zlib.compress(b"\n".join(lines), 6)
    )


def _db_lines(checkpoint: AuditCheckpoint) -> Iterator[bytes]:
    parts = (
        AuditCheckpointPart.objects.filter(checkpoint=checkpoint)
        .order_by("index")
        .values_list("data", flat=True)
        .iterator(chunk_size=1)
    )
    for data in parts:
        yield from zlib.decompress(bytes(data)).split(b"\n")


def export_checkpoint(checkpoint: AuditCheckpoint, path: str | os.PathLike) -> Path:
    """Write a signed checkpoint to ``path`` (never over an existing file)."""
    if not checkpoint.signature:
        raise CheckpointError(
            "该检查点未签名，不能导出：请先配置 BANGBAN_AUDIT_SIGNING_KEY"
            "（bangban audit keygen 生成密钥对）"
        )
    path = Path(path)
    if path.exists():
        raise CheckpointError(f"文件 {path} 已存在；检查点文件只写新文件，不覆盖")
    meta = {
        "format": FORMAT,
        "header": header_of(checkpoint),
        "seal": checkpoint.seal,
        "mac": checkpoint.mac,
        "signature": checkpoint.signature,
        "public_key": checkpoint.public_key,
    }
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as out:
        out.write(canonical(meta)[:-1] + _HEADS_OPEN)
        first = True
        for line in _db_lines(checkpoint):
            out.write(b"\n" if first else b",\n")
            out.write(line)
            first = False
        out.write(b"\n" + _HEADS_CLOSE + b"\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, path)
    return path


@dataclass
class CheckpointSource:
    """A checkpoint to hold the database to, from the database or from a file.

    ``problems`` are what is wrong with the checkpoint itself (found up front: MAC,
    signature, link to the previous one; and, once ``heads()`` is exhausted, the digest of
    the head lines and their order).
    """

    label: str
    created_at: datetime
    header: dict
    _lines: Callable[[], Iterator[bytes]]
    problems: list[str] = field(default_factory=list)

    def heads(self) -> Iterator[Head]:
        """The heads in ``case_pk`` order; checks their digest and order on the way."""
        stream = StreamDigest(self.header["scheme"])
        last_pk = 0
        for line in self._lines():
            stream.update(line + b"\n")
            head = parse_head(line)
            if head.case_pk <= last_pk:
                self.problems.append(f"{self.label}中的办件次序错乱（检查点被改动）")
                return
            last_pk = head.case_pk
            yield head
        if stream.hexdigest() != self.header["heads_digest"]:
            self.problems.append(f"{self.label}的办件列表与其摘要不符（检查点被改动）")


def _label(prefix: str, created_at: datetime) -> str:
    return f"{prefix}（{timezone.localtime(created_at):%Y-%m-%d %H:%M}）"


def db_source(checkpoint: AuditCheckpoint) -> CheckpointSource:
    """The newest (or a given) checkpoint in the database, its seal checked up front."""
    header = header_of(checkpoint)
    source = CheckpointSource(
        _label(f"检查点 #{checkpoint.pk}", checkpoint.created_at),
        checkpoint.created_at,
        header,
        lambda: _db_lines(checkpoint),
    )
    raw = canonical(header)
    scheme, kid = parse_seal(checkpoint.seal)
    key = audit_keys().get(kid)
    if key is None:
        source.problems.append(f"{source.label}的封存密钥 {kid} 不在密钥环中，无法校验")
    elif scheme != checkpoint.scheme or digest(scheme, raw, key) != checkpoint.mac:
        source.problems.append(f"{source.label}的校验码不符（检查点被改动）")
    trusted = public_key()
    if checkpoint.signature and trusted and not signing.verify(trusted, raw, checkpoint.signature):
        source.problems.append(f"{source.label}的 SM2 签名无效（检查点被改动或非本机密钥签发）")
    before = complete_checkpoints().filter(created_at__lte=checkpoint.created_at)
    previous = before.exclude(pk=checkpoint.pk).first()
    if (previous.mac if previous else "") != checkpoint.prev_mac:
        source.problems.append(f"{source.label}之前的检查点被删除或改动（与前一检查点的链接不符）")
    return source


def file_source(path: str | os.PathLike, trusted_key: str = "") -> CheckpointSource:
    """An exported checkpoint file; its SM2 signature is checked with the trusted key.

    Raises CheckpointError when the file cannot be read or no public key is configured;
    a bad signature refuses the file (nothing is compared with an unproven checkpoint).
    """
    path = Path(path)
    trusted = trusted_key or public_key()
    if not trusted:
        raise CheckpointError(
            "未配置 SM2 公钥：请设置 BANGBAN_AUDIT_PUBLIC_KEY 或用 --public-key 指定，"
            "才能核验检查点文件的签名"
        )
    try:
        with open(path, "rb") as f:
            first = f.readline().rstrip(b"\n")
    except OSError as error:
        raise CheckpointError(f"无法读取检查点文件 {path}：{error}") from error
    if not first.endswith(_HEADS_OPEN):
        raise CheckpointError(f"{path} 不是 bangban 检查点文件")
    try:
        meta = json.loads(first[: -len(_HEADS_OPEN)] + b"}")
        header = meta["header"]
        created_at = datetime.fromisoformat(header["created_at"].replace("Z", "+00:00"))
        if meta.get("format") != FORMAT or header.get("format") != FORMAT:
            raise ValueError
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise CheckpointError(f"{path} 不是 bangban 检查点文件") from error
    if not signing.verify(trusted, canonical(header), str(meta.get("signature", ""))):
        raise CheckpointError(
            f"检查点文件 {path.name} 的 SM2 签名无效：文件被改动，或不是用与该公钥配对的私钥签发"
        )

    def lines() -> Iterator[bytes]:
        with open(path, "rb") as f:
            f.readline()
            for raw in f:
                line = raw.rstrip(b"\n")
                if line == _HEADS_CLOSE:
                    return
                if line:
                    yield line.rstrip(b",")
        raise CheckpointError(f"检查点文件 {path.name} 不完整（缺少结尾）")

    return CheckpointSource(
        _label(f"检查点文件 {path.name}", created_at), created_at, header, lines
    )
