"""Issue 12, finding 3: an audit that holds the whole database to account.

The three rewrites the audit used to miss, each done the way a database-only attacker
would (raw SQL, no application code), and each now named by ``bangban audit verify``:
a tail of events deleted with the case row rewound, a state written with no event, a
whole case deleted. Also: checkpoints (in the database and exported, SM2-signed), the
seals (HMAC-SM3 under the "sm" suite), re-sealing of legacy chains and key rotation,
interrupted and resumed.
"""

from __future__ import annotations

import json
from datetime import UTC
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.test import override_settings

from bangban.cases import signing
from bangban.cases.audit import rechain, verify_all
from bangban.cases.checkpoints import make_checkpoint
from bangban.cases.hashchain import GENESIS, LEGACY, event_hash, key_id
from bangban.cases.models import AuditCheckpoint, Case, CaseEvent, ChainReseal

from .helpers import accept, act, open_case

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def cases(world):
    """Three cases written through the real write path; the first is being handled."""
    first = open_case(world)
    accept(first, world.agent_a)
    act(first, world.agent_a, "start_handling")  # 5 events, state 承办中
    second = open_case(world, agent=world.agent_b)
    act(second, world.agent_b, "start_review")  # 2 events
    third = open_case(world, agent=world.agent_b)  # 1 event, the newest case of its series
    return first, second, third


def audit(*args) -> tuple[str, CommandError | None]:
    out = StringIO()
    try:
        call_command("audit", "verify", *args, stdout=out)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def raw(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def delete_rows(model, pks) -> None:
    """Delete rows with raw SQL, and every row that refers to them, depth first: what an
    attacker with the database does. (Foreign keys are checked when the test ends, so the
    rows pointing at a deleted row go too.)"""
    pks = list(pks)
    if not pks:
        return
    for other in apps.get_models():
        for f in other._meta.concrete_fields:
            if isinstance(f, models.ForeignKey) and f.related_model is model:
                refs = other._base_manager.filter(**{f"{f.name}__in": pks})
                delete_rows(other, refs.values_list("pk", flat=True))
    table = connection.ops.quote_name(model._meta.db_table)
    marks = ",".join(["%s"] * len(pks))
    raw(f"DELETE FROM {table} WHERE id IN ({marks})", pks)


# --- the three rewrites that went unnoticed ------------------------------------------------


def test_finding_3_deleting_the_newest_events_and_rewinding_count_hash_and_version_is_detected(
    cases,
):
    """(a) Delete accept and start_handling; rewind event_count, last_event_hash, version.

    The state still says 承办中 while the last event left says 预审中: named, no
    checkpoint needed."""
    first, *_ = cases
    kept = first.events.get(seq=3)  # pre_review, to_state reviewing
    delete_rows(CaseEvent, first.events.filter(seq__gt=3).values_list("pk", flat=True))
    raw(
        "UPDATE cases_case SET event_count = 3, last_event_hash = %s, version = 2 WHERE id = %s",
        [kept.hash, first.pk],
    )
    out, error = audit()
    assert error is not None and error.returncode == 1
    assert (
        f"办件 {first.number}（现存最后一个事件为第 3 号（id={kept.pk}））："
        "办件状态为「承办中」，而最后一个事件（pre_review）记录的状态为「预审中」"
        "（状态未经事件被改动，或末尾事件被删除）"
    ) in out
    assert "发现 1 处问题" in str(error)


def test_rewinding_the_version_alone_is_detected(cases):
    first, *_ = cases
    raw("UPDATE cases_case SET version = 9 WHERE id = %s", [first.pk])
    out, error = audit()
    assert error is not None
    assert f"办件 {first.number}" in out and "版本号为 9，与事件数 5 不符（应为 4" in out


def test_finding_3_a_full_rewind_including_the_state_is_caught_by_the_checkpoint(cases):
    """(a) The thorough attacker also rewinds the state: the case row and its remaining
    events agree with each other. Only a record of the case's head from before shows it,
    which is what checkpoints are for."""
    first, *_ = cases
    checkpoint = make_checkpoint()
    kept = first.events.get(seq=3)
    delete_rows(CaseEvent, first.events.filter(seq__gt=3).values_list("pk", flat=True))
    raw(
        "UPDATE cases_case SET event_count = 3, last_event_hash = %s, version = 2, "
        "state = 'reviewing' WHERE id = %s",
        [kept.hash, first.pk],
    )
    # the known limit: without a checkpoint, a consistent rewind leaves nothing to see
    assert verify_all(use_newest_checkpoint=False).ok
    out, error = audit()
    assert error is not None and "发现 1 处问题" in str(error)
    assert (
        f"办件 {first.number}：检查点 #{checkpoint.pk}（" in out
        and "）记录有 5 个事件，现仅存 3 个（末尾事件被删除，办件记录被回退）" in out
    )


def test_finding_3_changing_the_state_with_no_event_is_detected(cases):
    """(b) ``UPDATE cases_case SET state = …`` with no event."""
    _, second, _ = cases
    last = second.events.get(seq=2)
    raw("UPDATE cases_case SET state = 'completed' WHERE id = %s", [second.pk])
    out, error = audit()
    assert error is not None and "发现 1 处问题" in str(error)
    assert (
        f"办件 {second.number}（现存最后一个事件为第 2 号（id={last.pk}））："
        "办件状态为「已办结」，而最后一个事件（start_review）记录的状态为「预审中」"
    ) in out
    [problem] = verify_all().problems
    assert problem.case_number == second.number and problem.whole_case


def test_finding_3_deleting_a_whole_case_is_detected_by_its_missing_number(cases):
    """(c) A case and everything on it deleted with raw SQL, before any checkpoint: its
    number was issued (the counter says so) and no case has it."""
    _, second, _ = cases
    delete_rows(Case, [second.pk])
    assert not Case.objects.filter(pk=second.pk).exists()
    out, error = audit()
    assert error is not None and "发现 1 处问题" in str(error)
    assert (
        f"办件 {second.number}：编号已发出（计数器已至 2 号），办件却不存在（办件被整体删除）"
    ) in out


def test_finding_3_deleting_a_whole_case_is_detected_by_the_checkpoint(cases):
    """(c) The newest case of its series, with the number counter rewound too: only the
    checkpoint still knows it."""
    _, _, third = cases
    checkpoint = make_checkpoint()
    delete_rows(Case, [third.pk])
    raw("UPDATE cases_documentcounter SET last = last - 1 WHERE prefix = 'BJ' AND last = 2")
    assert verify_all(use_newest_checkpoint=False).ok  # the known limit without a checkpoint
    out, error = audit()
    assert error is not None and "发现 1 处问题" in str(error)
    assert (
        f"办件 {third.number}：办件已不存在：检查点 #{checkpoint.pk}（" in out
        and "）记录其有 1 个事件（办件连同事件被整体删除）" in out
    )


def test_rewriting_an_event_after_the_checkpoint_is_named_with_the_checkpoint(cases):
    first, *_ = cases
    make_checkpoint()
    event = first.events.get(seq=2)
    CaseEvent.objects.filter(pk=event.pk).update(reason="改过")
    problems = [str(p) for p in verify_all().problems]
    assert any("第 2 号事件" in p and "内容与哈希不符" in p for p in problems)


def test_a_tampered_checkpoint_row_is_named(cases):
    checkpoint = make_checkpoint()
    AuditCheckpoint.objects.filter(pk=checkpoint.pk).update(case_count=2)
    problems = [str(p) for p in verify_all().problems]
    assert problems[0].startswith(f"检查点 #{checkpoint.pk}（") and "校验码不符" in problems[0]


def test_a_deleted_older_checkpoint_is_named(cases):
    first = make_checkpoint()
    make_checkpoint()
    AuditCheckpoint.objects.filter(pk=first.pk).delete()
    problems = [str(p) for p in verify_all().problems]
    assert any("之前的检查点被删除或改动" in p for p in problems)


# --- checkpoints ----------------------------------------------------------------------


def test_checkpoints_stream_in_parts_and_verify(cases):
    checkpoint = make_checkpoint(chunk_size=1, part_size=1)
    assert checkpoint.parts.count() == 3
    assert (checkpoint.case_count, checkpoint.event_count) == (3, 8)
    assert checkpoint.scheme == "sm3" and checkpoint.seal.startswith("sm3:")
    report = verify_all(chunk_size=1)
    assert report.ok and report.checkpoint.startswith(f"检查点 #{checkpoint.pk}")
    act(cases[1], cases[1].agent, "note", text="检查点之后的新事件")
    assert verify_all().ok  # a case that moved on since the checkpoint is fine


def test_the_daily_job_makes_a_checkpoint(cases):
    from bangban.cases.tasks import make_audit_checkpoint

    pk = make_audit_checkpoint.call_local()
    assert AuditCheckpoint.objects.get(pk=pk).case_count == 3


@pytest.fixture
def signing_keys():
    private, public = signing.generate_keypair()
    with override_settings(AUDIT_SIGNING_KEY=private, AUDIT_PUBLIC_KEY=public):
        yield private, public


def test_an_exported_checkpoint_is_sm2_signed_and_the_database_is_held_to_it(
    cases, signing_keys, tmp_path
):
    _, public = signing_keys
    path = tmp_path / "checkpoint.json"
    out = StringIO()
    call_command("audit", "checkpoint", "--export", str(path), stdout=out)
    assert "已 SM2 签名" in out.getvalue() and "已导出到" in out.getvalue()
    document = json.loads(path.read_text())  # one JSON document
    assert len(document["heads"]) == 3 and document["header"]["scheme"] == "sm3"
    header = json.dumps(
        document["header"], sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()
    assert signing.verify(public, header, document["signature"])  # the public key alone

    AuditCheckpoint.objects.all().delete()  # the attacker deletes the database's copies
    out, error = audit("--checkpoint", str(path))
    assert error is None and "并与检查点文件 checkpoint.json（" in out

    first, _, third = cases
    delete_rows(Case, [third.pk])
    raw("UPDATE cases_documentcounter SET last = last - 1 WHERE prefix = 'BJ' AND last = 2")
    kept = first.events.get(seq=4)
    delete_rows(CaseEvent, first.events.filter(seq__gt=4).values_list("pk", flat=True))
    raw(
        "UPDATE cases_case SET event_count = 4, last_event_hash = %s, version = 3, "
        "state = 'accepted' WHERE id = %s",
        [kept.hash, first.pk],
    )
    assert verify_all().ok  # no checkpoint left in the database: nothing to see there
    out, error = audit("--checkpoint", str(path))
    assert error is not None and "发现 2 处问题" in str(error)
    assert f"办件 {third.number}：办件已不存在：检查点文件 checkpoint.json（" in out
    assert f"办件 {first.number}：检查点文件 checkpoint.json（" in out
    assert "记录有 5 个事件，现仅存 4 个" in out


def test_a_changed_checkpoint_file_or_another_key_is_refused(cases, signing_keys, tmp_path):
    path = tmp_path / "cp.json"
    call_command("audit", "checkpoint", "--export", str(path), stdout=StringIO())
    lines = path.read_text().split("\n")

    # a head line changed: the signature holds, the digest of the heads does not
    forged = tmp_path / "forged.json"
    row = json.loads(lines[1].rstrip(","))
    row[2] = 1
    forged.write_text("\n".join([lines[0], json.dumps(row) + ",", *lines[2:]]))
    out, error = audit("--checkpoint", str(forged))
    assert error is not None and "办件列表与其摘要不符（检查点被改动）" in out

    # the header changed: the signature fails, nothing is compared
    header_changed = tmp_path / "header.json"
    header_changed.write_text(path.read_text().replace('"cases":3', '"cases":2', 1))
    with pytest.raises(CommandError, match="SM2 签名无效"):
        call_command("audit", "verify", "--checkpoint", str(header_changed), stdout=StringIO())

    # another key pair: refused too
    _, other_public = signing.generate_keypair()
    with pytest.raises(CommandError, match="SM2 签名无效"):
        call_command(
            "audit", "verify", "--checkpoint", str(path), "--public-key", other_public,
            stdout=StringIO(),
        )  # fmt: skip


def test_export_needs_a_signing_key_and_never_overwrites(cases, signing_keys, tmp_path):
    path = tmp_path / "cp.json"
    with override_settings(AUDIT_SIGNING_KEY="", AUDIT_PUBLIC_KEY=""):
        with pytest.raises(CommandError, match="BANGBAN_AUDIT_SIGNING_KEY"):
            call_command("audit", "checkpoint", "--export", str(path), stdout=StringIO())
        with pytest.raises(CommandError, match="未配置 SM2 公钥"):
            call_command("audit", "verify", "--checkpoint", str(path), stdout=StringIO())
    call_command("audit", "checkpoint", "--export", str(path), stdout=StringIO())
    with pytest.raises(CommandError, match="已存在"):
        call_command("audit", "checkpoint", "--export", str(path), stdout=StringIO())


def test_keygen_prints_a_working_pair():
    out = StringIO()
    call_command("audit", "keygen", stdout=out)
    values = dict(
        line.split("=", 1) for line in out.getvalue().splitlines() if line.startswith("BANGBAN_")
    )
    private, public = values["BANGBAN_AUDIT_SIGNING_KEY"], values["BANGBAN_AUDIT_PUBLIC_KEY"]
    assert signing.public_key_of(private) == public
    assert signing.verify(public, b"x", signing.sign(private, b"x"))


def test_a_public_key_whose_hex_starts_with_04_still_verifies():
    """gmssl strips a leading "04" (and the 0s and 4s after it) from any public key it is
    given; one key in 256 starts so, and its signatures must verify like any other."""
    private = f"{11:064x}"
    public = signing.public_key_of(private)
    assert public.startswith("04")
    signature = signing.sign(private, b"checkpoint")
    assert signing.verify(public, b"checkpoint", signature)
    assert not signing.verify(public, b"tampered", signature)


# --- seals: HMAC-SM3 by default --------------------------------------------------------


def _independent_content(event: CaseEvent, number: str) -> bytes:
    """The canonical content written out here by hand, not by ``chain_content``."""
    content = {
        "case": number,
        "seq": event.seq,
        "event": event.event,
        "from": event.from_state,
        "to": event.to_state,
        "actor_kind": event.actor_kind,
        "actor": event.actor_staff_id,
        "actor_name": event.actor_name,
        "site": event.site_id,
        "at": event.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "reason": event.reason,
        "details": event.details,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def test_stored_hashes_are_hmac_sm3_under_the_sm_suite(world, settings):
    settings.CRYPTO_SUITE = "sm"
    case = open_case(world)
    accept(case, world.agent_a)
    key = settings.AUDIT_KEY.encode()
    for event in CaseEvent.objects.filter(case=case).order_by("seq"):
        assert event.seal == f"sm3:{key_id(key)}"
        mac = crypto_hmac.HMAC(key, hashes.SM3())
        mac.update(event.prev_hash.encode() + b"\n" + _independent_content(event, case.number))
        assert event.hash == mac.finalize().hex()


def test_the_legacy_suite_writes_hmac_sha256(world, settings):
    import hashlib
    import hmac

    settings.CRYPTO_SUITE = "legacy"
    case = open_case(world)
    key = settings.AUDIT_KEY.encode()
    event = CaseEvent.objects.get(case=case)
    assert event.seal == f"sha256:{key_id(key)}"
    message = event.prev_hash.encode() + b"\n" + _independent_content(event, case.number)
    assert event.hash == hmac.new(key, message, hashlib.sha256).hexdigest()
    assert verify_all().ok


# --- re-sealing: legacy chains, and key rotation ---------------------------------------


def _make_legacy(case: Case, key: bytes) -> None:
    """Rewrite a case's chain the way earlier versions wrote it: HMAC-SHA256 over the time
    as written, here +08:00 (the demo's), no seal."""
    prev = GENESIS
    for event in case.events.order_by("seq"):
        content = {**event.chain_content(case.number), "at": event.at.astimezone(SHANGHAI)}
        digest = event_hash(prev, content, key, scheme=LEGACY)
        CaseEvent.objects.filter(pk=event.pk).update(prev_hash=prev, hash=digest, seal="")
        prev = digest
    Case.objects.filter(pk=case.pk).update(last_event_hash=prev)


def test_legacy_chains_verify_in_their_form_and_are_resealed_only_when_intact(cases, settings):
    first, second, third = cases
    key = settings.AUDIT_KEY.encode()
    for case in cases:
        _make_legacy(case, key)
    report = verify_all()
    assert report.ok and report.legacy_events == 8
    assert any("8 个事件仍为旧格式" in n for n in report.notes)

    # one legacy case tampered with: re-sealing must not bless it
    CaseEvent.objects.filter(case=second, seq=2).update(reason="篡改")
    out = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("audit", "rechain", "--dry-run", stdout=out)
    assert "可重新封存 2 个办件（6 个事件）" in str(refused.value)
    assert f"办件 {second.number} 第 2 号事件" in out.getvalue()
    assert CaseEvent.objects.filter(seal=LEGACY).count() == 8  # a dry run changes nothing

    out = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("audit", "rechain", stdout=out)
    assert "已重新封存 2 个办件（6 个事件）" in str(refused.value)
    assert "1 个办件校验未通过，未作改动" in str(refused.value)
    seal = f"sm3:{key_id(key)}"
    assert set(
        CaseEvent.objects.filter(case__in=[first, third]).values_list("seal", flat=True)
    ) == {seal}
    assert set(CaseEvent.objects.filter(case=second).values_list("seal", flat=True)) == {LEGACY}
    assert ChainReseal.objects.filter(case_pk=first.pk, to_seal=seal, from_seals="旧格式").exists()
    [problem] = verify_all().problems
    assert problem.case_number == second.number and "内容与哈希不符" in problem.message


def test_a_key_rotation_to_sm3_interrupted_and_resumed_keeps_every_chain_verifying(
    world, settings, monkeypatch
):
    old_key, new_key = "old-audit-key-" + "x" * 30, "new-audit-key-" + "y" * 30
    settings.CRYPTO_SUITE, settings.AUDIT_KEY = "legacy", old_key
    written = [open_case(world) for _ in range(3)]
    accept(written[0], world.agent_a)
    make_checkpoint()
    assert verify_all().ok

    # the rotation: new suite and key, the old key kept readable for the time being
    settings.CRYPTO_SUITE, settings.AUDIT_KEY, settings.AUDIT_KEY_OLD = "sm", new_key, old_key
    act(written[1], world.agent_a, "start_review")  # a new event under the new seal
    report = verify_all()
    assert report.ok and report.other_seal_events == 4 + 1 + 1

    calls = []
    real_create = ChainReseal.objects.create

    def crash_on_second(**kwargs):
        calls.append(kwargs["case_number"])
        if len(calls) == 2:
            raise KeyboardInterrupt  # the operator's Ctrl-C, after the case's hashes changed
        return real_create(**kwargs)

    monkeypatch.setattr(ChainReseal.objects, "create", crash_on_second)
    with pytest.raises(KeyboardInterrupt):
        rechain()
    monkeypatch.undo()
    new_seal = f"sm3:{key_id(new_key.encode())}"
    seals = {c.pk: set(c.events.values_list("seal", flat=True)) for c in written}
    assert seals[written[0].pk] == {new_seal}  # done in its own transaction
    assert seals[written[1].pk] == {f"sha256:{key_id(old_key.encode())}", new_seal}  # rolled back
    assert verify_all().ok  # half-way, everything verifies

    result = rechain()  # resumed
    assert (result.resealed, result.current, result.refused) == (2, 1, [])
    settings.AUDIT_KEY_OLD = ""  # the old key retired
    make_checkpoint()
    report = verify_all()
    assert report.ok and report.other_seal_events == 0 and report.legacy_events == 0
    assert set(CaseEvent.objects.values_list("seal", flat=True)) == {new_seal}
    assert ChainReseal.objects.count() == 3


def test_a_checkpoint_made_before_resealing_compares_counts_only_for_resealed_cases(
    cases, settings
):
    first, *_ = cases
    for case in cases:
        _make_legacy(case, settings.AUDIT_KEY.encode())
    before = make_checkpoint()
    assert rechain().resealed == 3
    assert verify_all().ok  # the newest checkpoint predates the reseal: counts only
    # a tail deleted and rewound after the reseal is still caught by the count
    kept = first.events.get(seq=3)
    delete_rows(CaseEvent, first.events.filter(seq__gt=3).values_list("pk", flat=True))
    raw(
        "UPDATE cases_case SET event_count = 3, last_event_hash = %s, version = 2, "
        "state = 'reviewing' WHERE id = %s",
        [kept.hash, first.pk],
    )
    [problem] = verify_all().problems
    assert f"检查点 #{before.pk}" in problem.message and "现仅存 3 个" in problem.message


# --- the demo ---------------------------------------------------------------------------


def test_finding_3_audit_verify_passes_on_a_freshly_loaded_demo(db, settings):
    settings.DEMO_CASES = 12
    call_command("demo", stdout=StringIO())
    assert Case.objects.count() == 12
    out, error = audit()
    assert error is None, out
    assert "已校验 12 个办件" in out and "未发现篡改" in out
    call_command("audit", "checkpoint", stdout=StringIO())
    out, error = audit()
    assert error is None and "并与检查点 #" in out


def test_an_administrator_sees_the_checkpoints_and_can_change_none(cases, admin_client):
    checkpoint = make_checkpoint()
    listing = admin_client.get("/admin/cases/auditcheckpoint/")
    assert listing.status_code == 200
    assert "审计检查点" in listing.content.decode()
    page = admin_client.get(f"/admin/cases/auditcheckpoint/{checkpoint.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert (
        admin_client.post(f"/admin/cases/auditcheckpoint/{checkpoint.pk}/delete/").status_code
        == 403
    )
    assert AuditCheckpoint.objects.filter(pk=checkpoint.pk).exists()
