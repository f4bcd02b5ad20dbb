"""The printed forms: what each is called, how it is numbered and when it is issued.

Plain data, no Django: the model's choices, the templates, the pages and the docs read it.

Numbers come from ``cases.services.next_number`` (``<prefix>-<site code>-<year>-<000123>``),
so a number is unique per site, year and prefix. The prefixes the workflow already used
(BY, GZ, SL, ZZ, XB, ZJ, BJD) stay as they were; the forms signed before an event get new
ones. A correction keeps the number of its series and adds ``-V2``, ``-V3`` …
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    APPLICATION = "application"
    ENTRUSTMENT = "entrustment"
    SERVICE_NOTICE = "service_notice"
    REFUSAL_NOTICE = "refusal_notice"
    ONE_TIME_NOTICE = "one_time_notice"
    ACCEPTANCE_SLIP = "acceptance_slip"
    SUSPENSION_SLIP = "suspension_slip"
    RESUMPTION_ENTRUSTMENT = "resumption_entrustment"
    TERMINATION_SLIP = "termination_slip"
    COMPLETION_SLIP = "completion_slip"
    EVALUATION = "evaluation"
    DEPARTMENT_FORM = "department_form"


@dataclass(frozen=True)
class KindInfo:
    kind: Kind
    label: str  # the title printed on the form (a centre may change it, see FormWording)
    prefix: str  # number prefix
    source: str  # the seed clause the layout follows
    # issued from the case page when asked for; the others are issued by the event whose
    # row in the state table names them (``Transition.issues``, cases.transitions)
    on_demand: bool
    form: str | None = None  # the workflow Form the client signs (cases.workflow.Form)

    @property
    def template(self) -> str:
        # 办结 and 终止 are one form (000 附录C 办结（终止）单) with the matching box ticked.
        name = "completion_slip" if self.kind == Kind.TERMINATION_SLIP else self.kind.value
        return f"documents/{name}.html"


KINDS: dict[Kind, KindInfo] = {
    info.kind: info
    for info in (
        KindInfo(Kind.APPLICATION, "帮办申请表", "SQ", "000 附录A", True, "application"),
        KindInfo(
            Kind.ENTRUSTMENT,
            "代办服务委托书",
            "WT",
            "000 附录D；002 附件1；003 附件2",
            True,
            "entrustment",
        ),
        KindInfo(Kind.SERVICE_NOTICE, "帮办代办服务告知书", "GZS", "002 附件2", True),
        KindInfo(Kind.REFUSAL_NOTICE, "不予受理告知书", "BY", "000 §10.1.3.2、§10.2.3", False),
        KindInfo(Kind.ONE_TIME_NOTICE, "一次性告知单", "GZ", "002 附件3", False),
        KindInfo(Kind.ACCEPTANCE_SLIP, "帮办代办受理单", "SL", "000 附录B", False),
        KindInfo(
            Kind.SUSPENSION_SLIP,
            "代办服务中止单",
            "ZZ",
            "000 附录E；§10.2.5.1",
            False,
            "suspension_slip",
        ),
        KindInfo(
            Kind.RESUMPTION_ENTRUSTMENT,
            "代办服务续办委托书",
            "XB",
            "000 附录F；§10.2.5.2",
            False,
            "resumption_entrustment",
        ),
        KindInfo(
            Kind.TERMINATION_SLIP,
            "办结（终止）单",
            "ZJ",
            "000 附录C；003 附件3",
            False,
            "completion_slip",
        ),
        KindInfo(
            Kind.COMPLETION_SLIP,
            "办结（终止）单",
            "BJD",
            "000 附录C；§10.1.5、§10.2.6",
            False,
            "completion_slip",
        ),
        KindInfo(Kind.EVALUATION, "帮办代办服务评价表", "PJ", "003 附件4", True),
        # 一表申请 (issue 18): one per case item, its fields filled from the one answer set;
        # issued from the case's 一表申请 page (``department_forms``), each item its own series
        KindInfo(Kind.DEPARTMENT_FORM, "部门申请表", "BMSQ", "一表申请（一件事）", True),
    )
}

KIND_LABELS = {kind: info.label for kind, info in KINDS.items()}
# Forms issued for one item of a case, not for the case: not in the case's issue list.
PER_ITEM = frozenset({Kind.DEPARTMENT_FORM})
ON_DEMAND = tuple(k for k, info in KINDS.items() if info.on_demand and k not in PER_ITEM)
# The on-demand forms a signature is given for: signing on screen issues a signed version.
SIGNED_ON_DEMAND = {info.form: k for k, info in KINDS.items() if info.on_demand and info.form}


def version_number(series: str, version: int) -> str:
    return series if version == 1 else f"{series}-V{version}"
