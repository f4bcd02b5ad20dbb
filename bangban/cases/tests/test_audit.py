"""``bangban audit verify``: any later edit or deletion of a stored event is found and named."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from bangban.cases.audit import check_case, verify_all
from bangban.cases.models import Case, CaseEvent

from .helpers import SIGNED, accept, act, open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(world):
    """Two cases with a few events each, written through the real write path."""
    first = open_case(world)
    accept(first, world.agent_a)
    act(first, world.agent_a, "note", text="已电话告知服务对象受理结果")
    second = open_case(world, agent=world.agent_b)
    act(second, world.agent_b, "start_review")
    return first, second


def run_audit() -> tuple[str, CommandError | None]:
    out = StringIO()
    try:
        call_command("audit", "verify", stdout=out)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def test_clean_data_passes(cases):
    report = verify_all()
    assert report.ok and report.cases == 2 and report.events == 5 + 2
    assert report.summary == "已校验 2 个办件、7 个事件，未发现篡改"
    out, error = run_audit()
    assert error is None
    assert "已校验 2 个办件、7 个事件，未发现篡改" in out


def test_no_cases_is_a_clean_audit(db):
    assert verify_all().summary == "已校验 0 个办件、0 个事件，未发现篡改"


def test_it_streams_in_small_chunks_without_mixing_cases(cases):
    report = verify_all(chunk_size=1)
    assert report.ok and report.cases == 2 and report.events == 7


def test_editing_an_events_reason_fails_and_names_the_event(cases):
    first, _ = cases
    event = first.events.get(seq=3)
    CaseEvent.objects.filter(pk=event.pk).update(reason="改过的说明")
    out, error = run_audit()
    assert error is not None and error.returncode == 1
    assert str(error) == "已校验 2 个办件、7 个事件，发现 1 处问题"
    assert f"办件 {first.number} 第 3 号事件（id={event.pk}）：内容与哈希不符" in out
    [problem] = verify_all().problems
    assert (problem.case_number, problem.seq, problem.event_id) == (first.number, 3, event.pk)


def test_a_case_whose_every_event_was_deleted_is_detected(cases):
    _, second = cases
    CaseEvent.objects.filter(case=second).delete()
    [problem] = verify_all().problems
    assert (problem.case_number, problem.event_id) == (second.number, None)
    assert str(problem) == f"办件 {second.number}：事件数应为 2，实为 0（事件可能被删除）"


def test_editing_an_events_details_fails_and_names_the_event(cases):
    first, _ = cases
    event = first.events.get(event="accept")
    CaseEvent.objects.filter(pk=event.pk).update(details={**event.details, "document": "SL-X"})
    [problem] = verify_all().problems
    assert (problem.case_number, problem.seq, problem.event_id) == (first.number, 4, event.pk)
    assert "内容与哈希不符" in problem.message


def test_deleting_the_newest_event_is_detected(cases):
    first, _ = cases
    newest = first.events.get(seq=first.event_count)
    CaseEvent.objects.filter(pk=newest.pk).delete()  # the event only; the case stays
    out, error = run_audit()
    assert error is not None
    last = first.events.get(seq=4)
    assert (
        f"办件 {first.number}（现存最后一个事件为第 4 号（id={last.pk}））："
        "事件数应为 5，实为 4（事件可能被删除）"
    ) in out
    assert "发现 1 处问题" in str(error)
    [problem] = verify_all().problems
    assert problem.whole_case and (problem.seq, problem.event_id) == (4, last.pk)


def test_deleting_an_event_in_the_middle_names_the_next_one(cases):
    first, _ = cases
    CaseEvent.objects.filter(case=first, seq=2).delete()
    after = first.events.get(seq=3)
    problems = verify_all().problems
    assert {(p.seq, p.event_id) for p in problems} >= {(3, after.pk)}
    assert any("序号不连续" in p.message for p in problems)


def test_changing_an_events_prev_hash_is_detected(cases):
    _, second = cases
    event = second.events.get(seq=2)
    CaseEvent.objects.filter(pk=event.pk).update(prev_hash="f" * 64)
    problems = verify_all().problems
    assert {p.event_id for p in problems} == {event.pk}
    assert any("链接不符" in p.message for p in problems)


def test_rewriting_the_case_rows_last_hash_is_detected(cases):
    first, _ = cases
    Case.objects.filter(pk=first.pk).update(last_event_hash="0" * 64)
    [problem] = verify_all().problems
    assert problem.case_number == first.number and "最后一个事件" in problem.message
    assert problem.whole_case


def test_a_case_that_moved_on_between_the_two_reads_is_not_reported(cases):
    """The first look races with a transition; the locked second look is what counts."""
    first, _ = cases
    stale = Case.objects.get(pk=first.pk)
    act(first, first.agent, "note", text="审计读取之后又记了一笔")
    assert check_case(stale, first.events.order_by("seq"))  # the racy first look
    assert verify_all().ok


def test_the_cli_wrapper_runs_the_same_command(cases, capsys):
    from bangban.cli import main

    main(["audit", "verify"])
    assert "未发现篡改" in capsys.readouterr().out


def test_timelines_with_every_kind_of_detail_survive_the_database_round_trip(world):
    """Relays, signatures, documents, nested lists, dates and Chinese text hash the same
    after they are stored and read back, on SQLite and PostgreSQL alike."""
    bundle = open_case(world, bundle=True)
    act(bundle, world.agent_a, "relay_out", to_site=world.town.code, note="需镇级办理")
    act(bundle, world.town_agent, "relay_accept", note="已接收")
    accept(bundle, world.town_agent)
    act(bundle, world.town_agent, "start_handling")
    food, _ = bundle.items.all()
    act(bundle, world.town_agent, "file_with_department", case_item_id=food.pk)
    act(bundle, world.town_agent, "expedite", case_item_id=food.pk, message="企业急于开业")
    expedite = bundle.expedites.get()
    act(bundle, world.liaison_market, "expedite_reply", expedite_id=expedite.pk, reply="明日出证")
    act(
        bundle,
        world.town_agent,
        "suspend",
        reason_code="fees_unpaid",
        fee_amount="120",
        fee_payee="收费窗口",
        confirmation=SIGNED,
    )
    act(bundle, world.town_agent, "resume", confirmation=SIGNED)
    # (the details are each event's schema now, so a note takes text only; nested lists
    # come from the pre-review checks and the signatures above)
    act(bundle, world.coordinator, "note", text="“引号”、emoji 🙂 与\n换行")
    act(bundle, world.coordinator, "terminate", reason_code="force_majeure", confirmation=SIGNED)
    report = verify_all()
    assert report.ok, [str(p) for p in report.problems]
    assert report.events == Case.objects.get(pk=bundle.pk).event_count


def test_rewriting_a_whole_chain_without_the_audit_key_is_detected(cases):
    """Someone with write access to the database but not the key recomputes every hash."""
    from bangban.cases.hashchain import GENESIS, event_hash

    first, _ = cases
    prev = GENESIS
    for event in first.events.order_by("seq"):
        if event.seq == 2:
            event.reason = "伪造的说明"
        forged = event_hash(prev, event.chain_content(first.number))  # no key: plain SHA-256
        CaseEvent.objects.filter(pk=event.pk).update(
            reason=event.reason, prev_hash=prev, hash=forged
        )
        prev = forged
    Case.objects.filter(pk=first.pk).update(last_event_hash=prev)
    report = verify_all()
    assert not report.ok
    assert {p.seq for p in report.problems} >= {1, 2}
