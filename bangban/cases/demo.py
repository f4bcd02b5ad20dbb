"""Demo cases: a few hundred cases in every state, each walked through its own past dates.

``load(county)`` runs after the network, staff and catalogue demos (see the ``demo``
command). Every case is opened with ``case_submit`` and moved only with
``case_transition``, the one write path, so every event is checked by the state table and
its guards and hash-chained like a real one; nothing here writes a state or an event.

How the timeline is made true: each case gets a *plan*, its steps at working-day offsets
from its submission day. What the case should look like today (say "overdue in
handling", or "suspended, resumption period still running") fixes how many working days
before the last working day the case was submitted, so that its due date, its pauses and
its resumption deadline stand where they should today. Then the steps of all cases run
in the order of their own timestamps, each passing its moment as ``at=`` to
``case_submit``/``case_transition`` (``bangban.cases.clock``), so numbers are issued in
date order, pauses start and end on the right days and every event time is real.

Deterministic: ``random.Random(2026)`` chooses the plans and a seeded generator per case
chooses within them. ``count`` (or the ``DEMO_CASES`` setting, env ``BANGBAN_DEMO_CASES``) sets how many
cases; the first ones come from a fixed list that covers every state, every suspension
and termination reason, every delivery method, relays, bundles and the assist → proxy
turn, so even a small demo has all of them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from bangban.catalogue.bundles import schedule
from bangban.catalogue.models import Bundle, ServiceItem
from bangban.clients import identity
from bangban.clients.services import ClientInput, client_register
from bangban.network.models import Site, SiteLevel
from bangban.staff.models import StaffMember
from bangban.workdays.services import current_calendar

from . import clock
from .access import SYSTEM, Actor
from .models import Case, CaseItem, MaterialStatus
from .services import case_submit, case_transition

SEED = 2026
MAX_AGE = 62  # working days before the last working day: about three months
RESUMPTION_DAYS = 20  # effects.RESUMPTION_WORKDAYS, the default resumption period

# --------------------------------------------------------------------------------------
# Clients
# --------------------------------------------------------------------------------------

SURNAMES = (
    "王王王李李李张张张刘刘陈陈杨杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
    "肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方邹孟熊秦邱江"
)
GIVEN_NAMES = {
    # (male, born before 1966 / 1992 / later)
    (True, 0): "建国 国强 志强 德福 金水 卫东 建华 振华 永明 春生 福根 长林 荣华 树林 有才",
    (False, 0): "秀英 桂英 玉兰 淑珍 秀兰 桂兰 凤英 翠花 春梅 美华 月娥 金凤 素珍 玉梅",
    (True, 1): "伟 磊 军 勇 杰 涛 明 超 海峰 晓峰 文斌 立新 建军 志刚 国平 红兵 斌 鹏",
    (False, 1): "丽 芳 娟 敏 静 艳 燕 霞 婷 雪梅 丽华 晓燕 美玲 红梅 海燕 丽娟 慧",
    (True, 2): "宇轩 浩然 子豪 俊杰 家乐 博文 一鸣 梓豪 晨阳 思远 嘉诚 天佑",
    (False, 2): "欣怡 梓涵 雨婷 思琪 诗涵 佳怡 可馨 语桐 若曦 子萱 雨欣 梦瑶",
}
# Counties of 浙江 (the demo county's area code is 0571), and a few from elsewhere.
REGIONS = ["330122"] * 8 + ["330127", "330182", "330185", "342401", "513701", "412702"]
MOBILE_PREFIXES = [f"13{d}" for d in range(10)] + (
    "150 151 152 153 155 156 157 158 159 180 181 182 183 185 186 187 188 189".split()
)
PLACES = [
    "城关镇东街社区",
    "城关镇西湖村",
    "青山镇青山村",
    "青山镇石桥村",
    "河口镇河口社区",
    "河口镇柳树村",
    "城关镇",
    "青山镇",
    "河口镇",
]
ROADS = "人民路 解放路 建设路 新华路 中山路 青山路 河滨路 文化路 幸福路 振兴路".split()
TRADE_NAMES = "鑫源 恒达 绿源 明辉 惠民 丰禾 兴旺 锦程 青禾 瑞丰 鼎盛 安康 众诚 金穗 山海".split()
TRADES = [  # (kind of business, 登记管理部门 and 机构类别 of its credit code)
    ("餐饮管理有限公司", "91"),
    ("建筑工程有限公司", "91"),
    ("农业开发有限公司", "91"),
    ("商贸有限公司", "91"),
    ("食品有限公司", "91"),
    ("物流有限公司", "91"),
    ("旅游开发有限公司", "91"),
    ("家庭农场", "92"),
    ("面馆", "92"),
    ("茶叶专业合作社", "93"),
]


@dataclass
class _ClientSpec:
    data: ClientInput
    signer: str  # who signs the forms: the person, or the organisation's contact person
    priority: bool
    client: object = None  # registered when its first case is submitted


class _People:
    """Plausible clients: valid ID numbers and credit codes, fake mobiles, local addresses."""

    def __init__(self, rng: random.Random, today: dt.date):
        self.rng, self.today = rng, today
        self.used: set[str] = set()

    def _unique(self, make: Callable[[], str]) -> str:
        while (value := make()) in self.used:
            pass
        self.used.add(value)
        return value

    def name(self, male: bool, birth_year: int) -> str:
        era = 0 if birth_year < 1966 else 1 if birth_year < 1992 else 2
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN_NAMES[male, era].split())

    def resident_id(self, birth: dt.date, male: bool) -> str:
        def make():
            sex_digit = self.rng.choice("13579" if male else "02468")
            body = (
                f"{self.rng.choice(REGIONS)}{birth:%Y%m%d}{self.rng.randint(0, 99):02d}{sex_digit}"
            )
            return body + identity.resident_id_check_char(body)

        return self._unique(make)

    def mobile(self) -> str:
        return self._unique(
            lambda: self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randint(0, 99_999_999):08d}"
        )

    def address(self) -> str:
        place = self.rng.choice(PLACES)
        if place.endswith("村"):
            return f"示范县{place}{self.rng.randint(1, 12)}组{self.rng.randint(1, 60)}号"
        return f"示范县{place}{self.rng.choice(ROADS)}{self.rng.randint(1, 300)}号"

    def person(self, priority: bool) -> _ClientSpec:
        rng = self.rng
        # a priority client (about 15% of people) is elderly, disabled, or both
        elderly = priority and rng.random() < 0.7
        disabled = priority and (not elderly or rng.random() < 0.2)
        age = rng.randint(65, 91) if elderly else rng.randint(19, 64)
        birth = dt.date(self.today.year - age, rng.randint(1, 12), rng.randint(1, 28))
        male = rng.random() < 0.5
        name = self.name(male, birth.year)
        data = ClientInput(
            kind="person",
            name=name,
            id_number=self.resident_id(birth, male),
            mobile=self.mobile(),
            address=self.address(),
            is_elderly=elderly,
            is_disabled=disabled,
        )
        return _ClientSpec(data, name, elderly or disabled)

    def credit_code(self, prefix: str) -> str:
        def make():
            body = "MA2" + "".join(self.rng.choice(identity.CREDIT_CODE_CHARSET) for _ in range(5))
            first17 = prefix + REGIONS[0] + body + identity.organisation_code_check_char(body)
            return first17 + identity.credit_code_check_char(first17)

        return self._unique(make)

    def organisation(self) -> _ClientSpec:
        rng = self.rng
        trade, prefix = rng.choice(TRADES)
        town = rng.choice(["", "城关镇", "青山镇", "河口镇"])
        contact = self.name(rng.random() < 0.5, rng.randint(1975, 2000))
        data = ClientInput(
            kind="organisation",
            name=f"示范县{town}{rng.choice(TRADE_NAMES)}{trade}",
            id_number=self.credit_code(prefix),
            mobile=self.mobile(),
            address=self.address(),
            legal_representative=self.name(rng.random() < 0.7, rng.randint(1960, 1995)),
            contact_person=contact,
        )
        return _ClientSpec(data, contact, False)


# --------------------------------------------------------------------------------------
# What exists: sites, staff, items, bundles
# --------------------------------------------------------------------------------------


@dataclass
class _Offer:
    """An item or a bundle a case can be opened for, with what planning needs to know."""

    name: str
    category: str
    days: int  # promised limit in working days (a bundle: its critical path)
    assist: bool
    proxy: bool
    channels: list[str]
    site_ids: set[int]  # where it is offered; empty: everywhere
    versions: list = field(default_factory=list)  # the item version (none for a bundle)
    bundle_version: object = None
    # (position of the case item, first and last working day from the start of handling)
    steps: list[tuple[int, int, int]] = field(default_factory=list)
    # position → the positions of its prerequisites (a bundle's ``depends_on``)
    needs: dict[int, list[int]] = field(default_factory=dict)

    def offered(self, service_type: str) -> bool:
        return self.proxy if service_type == "proxy" else self.assist

    def offered_at(self, site: Site) -> bool:
        """Offered at exactly this site (ItemVersion.is_offered_at): no subtrees."""
        return not self.site_ids or site.pk in self.site_ids


class _World:
    def __init__(self, county: Site):
        sites = list(Site.objects.filter(path__startswith=county.path).order_by("path"))
        self.county = county
        self.by_id = {s.pk: s for s in sites}
        self.towns = [s for s in sites if s.level == SiteLevel.TOWN]
        self.villages = [s for s in sites if s.level == SiteLevel.VILLAGE]
        staff = list(StaffMember.objects.filter(is_active=True).order_by("pk"))
        self.agents: dict[int, list[StaffMember]] = {}
        for member in staff:
            if member.is_agent:
                self.agents.setdefault(member.site_id, []).append(member)
        self.liaisons = {m.department_id: m for m in staff if m.is_liaison and m.department_id}
        self.coordinator = next((m for m in staff if m.is_coordinator), None)
        self.items = self._items()
        self.bundles = self._bundles()
        if not self.items:
            raise RuntimeError("演示办件需要先加载事项清单（bangban.catalogue.demo）")
        missing = [s.name for s in sites if s.pk not in self.agents]
        if missing:
            raise RuntimeError("以下服务机构没有帮办代办员：" + "、".join(missing))

    def parent(self, site: Site) -> Site:
        return self.by_id[site.parent_id]

    def _items(self) -> list[_Offer]:
        self.by_item: dict[int, _Offer] = {}
        items = (
            ServiceItem.objects.filter(is_published=True)
            .select_related("current_version", "category")
            .prefetch_related("current_version__sites", "current_version__materials")
            .order_by("code")
        )
        offers = []
        for item in items:
            version = item.current_version
            days = 0 if version.is_immediate else version.promised_limit_days
            offer = _Offer(
                name=item.name,
                category=item.category.code if item.category_id else "",
                days=days,
                assist=version.offers_assist,
                proxy=version.offers_proxy,
                channels=list(version.channels or ["window"]),
                site_ids={s.pk for s in version.sites.all()},
                versions=[version],
                steps=[(0, 0, days)],
            )
            self.by_item[item.pk] = offer
            if any(m.required for m in version.materials.all()):
                offers.append(offer)
        return offers

    def _bundles(self) -> list[_Offer]:
        offers = []
        bundles = Bundle.objects.filter(is_published=True).select_related("current_version")
        for bundle in bundles.order_by("code"):
            entries = list(bundle.current_version.entries.prefetch_related("depends_on"))
            parts = [self.by_item.get(e.item_id) for e in entries]
            if not entries or None in parts:
                continue
            timing = schedule(
                (e.item_id, part.days, [d.item_id for d in e.depends_on.all()])
                for e, part in zip(entries, parts, strict=True)
            )
            site_sets = [p.site_ids for p in parts if p.site_ids]
            offers.append(
                _Offer(
                    name=bundle.name,
                    category=parts[0].category,
                    days=max(end for _, end in timing.values()),
                    assist=all(p.assist for p in parts),
                    proxy=all(p.proxy for p in parts),
                    channels=sorted(set.intersection(*(set(p.channels) for p in parts))),
                    site_ids=set.intersection(*site_sets) if site_sets else set(),
                    bundle_version=bundle.current_version,
                    steps=[(pos, *timing[e.item_id]) for pos, e in enumerate(entries)],
                    needs={
                        pos: [
                            q
                            for q, other in enumerate(entries)
                            if other.item_id in {d.item_id for d in e.depends_on.all()}
                        ]
                        for pos, e in enumerate(entries)
                    },
                )
            )
        return offers


# --------------------------------------------------------------------------------------
# The steps: each one call of case_submit or case_transition
# --------------------------------------------------------------------------------------


@dataclass
class _Ctx:
    """One case while it is being walked: the live objects its steps read and update."""

    world: _World
    rng: random.Random
    spec: _ClientSpec
    site: Site
    agent: StaffMember
    offer: _Offer
    service_type: str
    channel: str
    by_client: bool
    needs: str = ""
    case: Case | None = None
    items: list[CaseItem] = field(default_factory=list)
    expedite_id: int | None = None
    now: dt.datetime | None = None  # the moment of the step being run

    def sign(self) -> dict:
        method = {"online": "sms_code", "mobile": "sms_code", "home_visit": "paper"}.get(
            self.channel
        ) or self.rng.choice(["signature", "paper"])
        return {"method": method, "signer": self.spec.signer}


def _do(c: _Ctx, who, event: str, **details):
    actor = who if isinstance(who, Actor) else Actor.of_staff(who or c.agent)
    return case_transition(case=c.case, event=event, actor=actor, at=c.now, **details)


def _submit(c: _Ctx) -> None:
    if c.spec.client is None:
        with clock.at(c.now):  # registered on the day of the first case
            c.spec.client = client_register(data=c.spec.data)
    actor = Actor.of_client(c.spec.client) if c.by_client else Actor.of_staff(c.agent)
    c.case = case_submit(
        actor=actor,
        client=c.spec.client,
        service_type=c.service_type,
        channel=c.channel,
        site=c.site,
        item_versions=c.offer.versions,
        bundle_version=c.offer.bundle_version,
        needs="" if c.by_client else c.needs,
        at=c.now,
    )
    c.items = list(c.case.items.all())


CORRECTIONS = [
    "复印件不清晰，请提供清晰复印件并携带原件核验",
    "签名处未签字，请本人签字确认",
    "证件已过有效期，请提供有效期内的证件",
    "表格填写不完整，请补填联系电话和住址",
]


def _review(c: _Ctx, *, bad: int = 0, defer: bool = False, partial: bool = False) -> None:
    """Pre-review the checklist: ``bad`` required materials missing or to be corrected."""
    materials = list(c.case.materials.all())
    if partial:
        materials = materials[: max(1, len(materials) // 2)]
    required = [m for m in materials if m.required]
    faulty = set(c.rng.sample([m.pk for m in required], min(bad, len(required))))
    deferrable = [m for m in required if m.accept_with_gaps and m.pk not in faulty]
    deferred = {deferrable[0].pk} if defer and deferrable else set()
    checks = []
    for m in materials:
        if m.pk in faulty:
            missing = c.rng.random() < 0.5
            status = MaterialStatus.MISSING if missing else MaterialStatus.NEEDS_CORRECTION
            note = "未提供" if missing else c.rng.choice(CORRECTIONS)
        elif m.pk in deferred:
            status, note = MaterialStatus.DEFERRED, "容缺受理，承诺受理后5个工作日内补交"
        elif not m.required and c.rng.random() < 0.3:
            status, note = MaterialStatus.MISSING, "非必需材料，如有请一并提供"
        else:
            status, note = MaterialStatus.RECEIVED, ""
        checks.append({"material_id": m.pk, "status": status, "note": note})
    _do(c, None, "pre_review", checks=checks)


def _review_deferred(c: _Ctx) -> None:
    deferred = c.case.materials.filter(status=MaterialStatus.DEFERRED)
    checks = [
        {"material_id": m.pk, "status": MaterialStatus.RECEIVED, "note": "容缺材料已补交"}
        for m in deferred
    ]
    if checks:
        _do(c, None, "pre_review", checks=checks)


def _correction(c: _Ctx) -> None:
    """The department found a fault after acceptance: one material needs correcting."""
    required = [m for m in c.case.materials.all() if m.required] or list(c.case.materials.all())
    material = c.rng.choice(required)
    note = "部门审查意见：" + c.rng.choice(CORRECTIONS)
    _do(
        c,
        None,
        "pre_review",
        checks=[{"material_id": material.pk, "status": "needs_correction", "note": note}],
    )


def _supplement(c: _Ctx) -> None:
    needed = c.case.materials.filter(
        status__in=[MaterialStatus.MISSING, MaterialStatus.NEEDS_CORRECTION], required=True
    )
    _do(c, None, "supplement", received=[m.pk for m in needed])


def _liaison(c: _Ctx, position: int):
    return c.world.liaisons.get(c.items[position].department_id)


def _in_dependency_order(steps, needs: dict[int, list[int]]) -> list:
    """The steps with every item after its prerequisites (else in their order)."""
    done: set[int] = set()
    ordered: list = []
    waiting = list(steps)
    while waiting:
        ready = [step for step in waiting if set(needs.get(step[0], [])) <= done] or waiting[:1]
        for step in ready:
            ordered.append(step)
            done.add(step[0])
            waiting.remove(step)
    return ordered


def _file(c: _Ctx, position: int) -> None:
    _do(c, None, "file_with_department", case_item_id=c.items[position].pk)


def _step(c: _Ctx, position: int, status: str, result: str = "") -> None:
    who = _liaison(c, position) or c.agent
    _do(c, who, "department_step", case_item_id=c.items[position].pk, status=status, result=result)


def _expedite(c: _Ctx, position: int, message: str) -> None:
    event = _do(c, None, "expedite", case_item_id=c.items[position].pk, message=message)
    c.expedite_id = event.details["expedite_id"]


def _expedite_reply(c: _Ctx, position: int, reply: str) -> None:
    liaison = _liaison(c, position)
    if liaison is not None and c.expedite_id:
        _do(c, liaison, "expedite_reply", expedite_id=c.expedite_id, reply=reply)


# what an unpaid fee is and where it is paid (chosen by case, so the random draws stay)
FEES = ("50.00", "120.00", "300.00")
FEE_PAYEE = "县政务服务中心收费窗口，或按缴费通知书在网上缴纳"


def _suspend(c: _Ctx, code: str) -> None:
    fee = (
        {"fee_amount": FEES[(c.case.pk if c.case else 0) % len(FEES)], "fee_payee": FEE_PAYEE}
        if code == "fees_unpaid"
        else {}
    )
    _do(c, None, "suspend", reason_code=code, confirmation=c.sign(), **fee)


CARRIERS = [("EMS", "11"), ("中国邮政", "98"), ("顺丰速运", "SF")]


def _deliver(c: _Ctx, method: str) -> None:
    rng = c.rng
    if method == "in_person":
        _do(c, None, "deliver", method=method, recipient=c.spec.signer, confirmation=c.sign())
    elif method == "post":
        carrier, prefix = rng.choice(CARRIERS)
        _do(
            c,
            None,
            "deliver",
            method=method,
            address=c.spec.data.address,
            carrier=carrier,
            tracking_no=f"{prefix}{rng.randint(10**11, 10**12 - 1)}",
            recipient=c.spec.signer,
        )
    else:
        year = timezone.localdate(c.now).year
        licence = f"330122{year}{rng.randint(0, 999_999):06d}"
        _do(c, None, "deliver", method=method, licence_no=licence)


def _relay_accept(c: _Ctx, receiver: StaffMember) -> None:
    _do(c, receiver, "relay_accept", note="材料已清点接收，由本中心继续办理")
    c.agent = receiver


# --------------------------------------------------------------------------------------
# Plans: what happens to each case and when
# --------------------------------------------------------------------------------------


@dataclass
class Scenario:
    """What a case looks like today, and what happened on the way.

    ``stop`` is where the walk ends: received, assessing, reviewing, supplement_pre,
    refused, terminated_pre, accepted, handling, supplement_post, suspended,
    terminated_post, lapsed, completed or delivered; ``archive`` archives a closed case.
    """

    stop: str
    archive: bool = False
    reason: str = ""  # termination or suspension reason
    method: str = ""  # delivery method
    overdue: bool = False
    relay: str = ""  # pending, town, chain (village → town → county) or returned
    bundle: bool = False
    convert: bool = False  # assist turned into proxy while handling
    supplement: bool | None = None  # a one-time notice before acceptance, then supplied
    correction: bool = False  # a notice after acceptance, then supplied
    resumed: bool = False  # suspended and resumed in time
    defer: bool | None = None  # a material accepted with gaps (容缺), brought later
    assess: bool | None = None  # needs assessment (proxy)
    service_type: str = ""
    kind: str = ""  # person or organisation


# Every state, reason, method and path at least once, whatever the count.
COVERAGE = [
    Scenario("received"),
    Scenario("received", relay="pending"),
    Scenario("assessing", assess=True),
    Scenario("reviewing"),
    Scenario("supplement_pre"),
    Scenario("supplement_post", service_type="proxy"),
    Scenario("refused"),
    Scenario("refused", archive=True),
    Scenario("accepted"),
    Scenario("handling"),
    Scenario("handling", overdue=True),
    Scenario("handling", overdue=True, bundle=True),
    Scenario("suspended", reason="fees_unpaid"),
    Scenario("suspended", reason="client_pause"),
    Scenario("suspended", reason="materials_overdue", correction=True),
    Scenario("lapsed"),
    Scenario("lapsed", archive=True, correction=True),
    Scenario("terminated_pre", reason="other"),
    Scenario("terminated_pre", reason="client_withdrew"),
    Scenario("terminated_pre", reason="false_materials", archive=True),
    Scenario("terminated_post", reason="client_withdrew"),
    Scenario("terminated_post", reason="conditions_unmet", archive=True),
    Scenario("terminated_post", reason="law_changed"),
    Scenario("terminated_post", reason="force_majeure"),
    Scenario("completed"),
    Scenario("delivered", method="in_person", supplement=True),
    Scenario("delivered", method="post", bundle=True),
    Scenario("delivered", method="electronic", archive=True),
    Scenario("delivered", archive=True, relay="chain"),
    Scenario("handling", relay="returned"),
    Scenario("delivered", relay="town", correction=True),
    Scenario("delivered", convert=True, resumed=True, archive=True),
    Scenario("delivered", resumed=True, service_type="proxy"),
    Scenario("delivered", bundle=True, archive=True, defer=True),
]

# The rest are drawn with these weights: (stop, archive share, weight).
MIX = [
    ("received", 0, 5),
    ("assessing", 0, 2),
    ("reviewing", 0, 5),
    ("supplement_pre", 0, 4),
    ("supplement_post", 0, 2),
    ("refused", 0.6, 4),
    ("accepted", 0, 3),
    ("handling", 0, 13),
    ("suspended", 0, 3),
    ("lapsed", 0.5, 1.5),
    ("terminated_pre", 0.6, 2),
    ("terminated_post", 0.6, 2.5),
    ("completed", 0, 6),
    ("delivered", 0.72, 47),
]
REFUSALS = [
    "申请人户籍及经营场所均不在本县，不属于本中心帮办代办服务范围，已告知向户籍地政务服务中心申请",
    "所申请事项已通过“浙里办”办结，无需重复申请",
    "该事项属于司法程序，不属于政务服务帮办代办范围，已告知向县法律援助中心咨询",
    "申请人不符合该事项的申请条件（非本县户籍且无居住证），已一次性告知原因",
]
TERMINATIONS = {
    "client_withdrew": "委托人因家庭原因书面提出终止委托，材料已当面退还",
    "false_materials": "经核验，所附房屋租赁合同与不动产登记信息不符，材料已退还",
    "conditions_unmet": "经部门审查，申请人家庭收入超过认定标准，不具备办结条件",
    "law_changed": "根据省里最新政策调整，该事项改为“免申即享”，无需再申请",
    "force_majeure": "受台风影响，现场核查无法按期进行，经双方协商终止委托",
    "other": "重复提交，已合并至同一服务对象的另一办件办理",
}
NOTES = [
    "电话联系服务对象，告知办理进度",
    "已向部门窗口了解审查情况，预计按期出件",
    "服务对象来电询问进度，已答复",
    "已将部门审查意见转告服务对象",
]
RESULTS = ["准予许可", "审核通过，已出件", "准予登记", "已办结，证照已制发"]
RELAY_NOTES = [
    "已收取申请人身份证复印件和申请表，该事项须在上级中心办理，请接收",
    "服务对象行动不便，材料已代为收齐，移交上级中心受理",
]
NEEDS_PRIORITY = [
    "老人行动不便，子女在外地务工，需全程代办",
    "残疾人，需上门收取材料、办结后送达",
]
NEEDS = ["企业急于开业，申请全程代办", "服务对象不熟悉网上申报，需要帮办指导", ""]


class _Plan:
    """A case's steps at working-day offsets from its submission day, and its age range."""

    def __init__(self, ctx: _Ctx):
        self.ctx = ctx
        self.steps: list[tuple[int, int, str, Callable]] = []
        self.cursor = 0
        self.min_age = 0  # how many working days ago it was submitted, at least
        self.max_age = MAX_AGE  # and at most
        self.fresh = False  # still moving: its last step is a day or two old

    def at(self, offset: int, fn: Callable, kind: str = "day") -> None:
        self.steps.append((offset, len(self.steps), kind, fn))
        self.cursor = max(self.cursor, offset)

    def then(self, gap: int, fn: Callable, kind: str = "day") -> None:
        self.at(self.cursor + gap, fn, kind)

    def age(self, rng: random.Random) -> int:
        span = max(offset for offset, *_ in self.steps)
        low = max(span, self.min_age)
        high = min(self.max_age, span + 2) if self.fresh else self.max_age
        return rng.randint(low, max(low, high))


class _Planner:
    def __init__(self, world: _World, people: _People, rng: random.Random):
        self.world, self.people, self.rng = world, people, rng
        self.clients: list[_ClientSpec] = []

    # --- who, where, what ------------------------------------------------------------

    def client(self, kind: str, priority: bool) -> _ClientSpec:
        returning = [c for c in self.clients if c.data.kind == kind and c.priority == priority]
        if returning and self.rng.random() < 0.12:
            return self.rng.choice(returning)
        people = self.people
        spec = people.organisation() if kind == "organisation" else people.person(priority)
        self.clients.append(spec)
        return spec

    def site(self, level: str = "") -> Site:
        level = level or self.rng.choices(["county", "town", "village"], [40, 35, 25])[0]
        if level == "county":
            return self.world.county
        return self.rng.choice(self.world.towns if level == "town" else self.world.villages)

    def offer(self, s: Scenario, kind, service_type, site: Site, min_days: int, below=None):
        pool = self.world.bundles if s.bundle else self.world.items
        if kind == "organisation":
            categories = {"business_startup", "investment_construction"}
        else:
            categories = {"livelihood"} if self.rng.random() < 0.85 else {"business_startup"}
        fits = [
            o for o in pool if o.offered(service_type) and o.days >= min_days and o.offered_at(site)
        ]
        if s.convert:
            fits = [o for o in fits if o.proxy]
        if below is not None:  # a relayed case: preferably an item not offered where it began
            fits = [o for o in fits if not o.offered_at(below)] or fits
        preferred = [o for o in fits if o.category in categories]
        if preferred or fits:
            return self.rng.choice(preferred or fits)
        if s.bundle:
            return self.offer(Scenario(s.stop), kind, service_type, site, min_days, below)
        return None

    def channel(self, offer: _Offer, site: Site, priority: bool) -> str:
        weights = {"window": 6, "online": 2, "mobile": 2, "kiosk": 1}
        options = [ch for ch in offer.channels if ch in weights]
        if site.level == SiteLevel.VILLAGE:
            options = [ch for ch in options if ch not in {"online", "kiosk"}]
        choices = [(ch, weights[ch]) for ch in options] + [("phone", 1.5)]
        choices.append(("home_visit", 5 if priority else 0.8))
        names, w = zip(*choices, strict=True)
        return self.rng.choices(names, w)[0]

    def agent_at(self, site: Site) -> StaffMember:
        agents = self.world.agents[site.pk]
        if site.level == SiteLevel.VILLAGE and self.rng.random() < 0.7:
            return agents[0]  # the full-time agent takes most of a station's cases
        return self.rng.choice(agents)

    # --- one case --------------------------------------------------------------------

    def plan(self, index: int, s: Scenario) -> _Plan:
        rng, w = self.rng, self.world
        proxy_needed = s.stop in {"suspended", "lapsed"} or s.resumed or bool(s.assess)
        service_type = s.service_type or (
            "proxy" if proxy_needed or rng.random() < 0.55 else "assist"
        )
        if s.convert:
            service_type = "assist"
        kind = s.kind or ("organisation" if rng.random() < 0.22 and not s.bundle else "person")
        priority = kind == "person" and rng.random() < 0.15
        long_running = s.stop in {
            "accepted",
            "handling",
            "supplement_post",
            "suspended",
            "terminated_post",
            "lapsed",
        }
        min_days = 3 if long_running or s.correction or s.resumed or s.convert else 0
        if s.relay:
            site = self.site("village")
            handling_site = {"chain": w.county, "pending": site}.get(s.relay, w.parent(site))
        elif s.bundle:
            site = handling_site = self.site(rng.choice(["county", "county", "town"]))
        else:
            site = handling_site = self.site()
        below = site if s.relay else None
        offer = self.offer(s, kind, service_type, handling_site, min_days, below)
        if offer is None and service_type == "proxy" and not proxy_needed:
            service_type = "assist"
            offer = self.offer(s, kind, service_type, handling_site, min_days, below)
        if offer is None:
            kind = "person" if kind == "organisation" else "organisation"
            offer = self.offer(s, kind, service_type, handling_site, min_days, below)
        if offer is None:
            raise RuntimeError(f"演示办件：找不到适合“{s}”的事项")
        spec = self.client(kind, priority)
        channel = self.channel(offer, site, spec.priority)
        if s.relay and channel in {"online", "mobile", "kiosk"}:
            channel = "window"
        c = _Ctx(
            world=w,
            rng=random.Random(SEED * 100_000 + index),
            spec=spec,
            site=site,
            agent=self.agent_at(site),
            offer=offer,
            service_type=service_type,
            channel=channel,
            by_client=channel in {"online", "mobile", "kiosk"},
        )
        c.needs = rng.choice(NEEDS_PRIORITY) if spec.priority else rng.choice(NEEDS)
        p = _Plan(c)
        self._walk(p, s)
        return p

    def _walk(self, p: _Plan, s: Scenario) -> None:
        c, rng, w = p.ctx, self.rng, self.world
        # application or entrustment received
        p.at(0, lambda: _submit(c), "online" if c.by_client else "day")
        if c.by_client and w.coordinator is not None and rng.random() < 0.5:
            p.then(rng.randint(0, 1), lambda: _do(c, w.coordinator, "assign", agent_id=c.agent.pk))
        if s.relay == "pending":
            town = w.parent(c.site)
            note = rng.choice(RELAY_NOTES)
            p.then(0, lambda: _do(c, None, "relay_out", to_site=town.code, note=note))
        if s.stop == "received":
            p.fresh = True
            return
        if s.stop == "terminated_pre" and s.reason == "other":
            p.then(rng.randint(0, 1), lambda: self._terminate(c, "other"))
            return self._close(p, s)
        # needs assessment (proxy), then pre-review
        assess = s.assess if s.assess is not None else rng.random() < 0.5
        if c.service_type == "proxy" and assess:
            p.then(0, lambda: _do(c, None, "start_assessment", needs=c.needs or NEEDS[1]))
            if s.stop == "assessing":
                p.fresh = True
                return
        p.then(rng.randint(1, 2) if c.by_client else 0, lambda: _do(c, None, "start_review"))
        if s.relay and s.relay != "pending":
            self._relay(p, s.relay)
        if s.stop == "reviewing":
            p.then(0, lambda: _review(c, partial=True))
            p.fresh = True
            return
        if s.stop == "refused":
            if rng.random() < 0.5:
                p.then(0, lambda: _review(c))
            reason = rng.choice(REFUSALS)
            p.then(rng.randint(0, 1), lambda: _do(c, None, "refuse", reason=reason))
            return self._close(p, s)
        supplement = s.stop == "supplement_pre" or (
            s.supplement if s.supplement is not None else rng.random() < 0.25
        )
        defer = s.defer if s.defer is not None else rng.random() < 0.12
        bad = (1 + (rng.random() < 0.3)) if supplement else 0
        p.then(0, lambda: _review(c, bad=bad, defer=defer))
        if supplement:
            p.then(0, lambda: _do(c, None, "request_supplement"))
            if s.stop == "supplement_pre":
                p.max_age = p.cursor + 8  # some already past the supplement deadline
                return
            p.then(rng.randint(1, 4), lambda: _supplement(c))
        if s.stop == "terminated_pre":
            p.then(rng.randint(0, 2), lambda: self._terminate(c, s.reason))
            return self._close(p, s)
        # acceptance: the client signs the application form (assist) or the entrustment
        if c.service_type == "proxy" and rng.random() < 0.5:
            p.then(0, lambda: _do(c, None, "confirm", form="entrustment", confirmation=c.sign()))
            p.then(rng.randint(0, 1), lambda: _do(c, None, "accept"))
        else:
            p.then(rng.randint(0, 1), lambda: _do(c, None, "accept", confirmation=c.sign()))
        accepted = p.cursor
        if s.stop == "accepted":
            p.fresh, p.max_age = True, accepted + 1
            return
        p.then(rng.randint(0, 1), lambda: _do(c, None, "start_handling"))
        self._handling(p, s, accepted, defer)

    def _relay(self, p: _Plan, relay: str) -> None:
        c, rng, w = p.ctx, self.rng, self.world
        town = w.parent(c.site)
        town_agent, county_agent = self.agent_at(town), self.agent_at(w.county)
        note = rng.choice(RELAY_NOTES)
        p.then(0, lambda: _do(c, None, "relay_out", to_site=town.code, note=note))
        p.then(rng.randint(0, 1), lambda: _relay_accept(c, town_agent))
        if relay == "town":
            return
        note = "涉及县级部门审批，材料已核对，移交县政务服务中心帮办代办专区"
        p.then(
            rng.randint(0, 1), lambda: _do(c, None, "relay_out", to_site=w.county.code, note=note)
        )
        if relay == "chain":
            p.then(rng.randint(0, 1), lambda: _relay_accept(c, county_agent))
        else:
            reason = "该事项镇便民服务中心可直接受理，请镇里继续办理"
            p.then(rng.randint(0, 1), lambda: _do(c, county_agent, "relay_return", reason=reason))

    def _handling(self, p: _Plan, s: Scenario, accepted: int, defer: bool) -> None:
        c, rng = p.ctx, self.rng
        steps = _in_dependency_order(c.offer.steps, c.offer.needs)
        first = [pos for pos, start, _ in steps if start == 0 and not c.offer.needs.get(pos)]
        if s.convert:
            p.then(
                rng.randint(0, 2), lambda: _do(c, None, "convert_to_proxy", confirmation=c.sign())
            )
        for pos in first:
            p.then(rng.randint(0, 1) if c.offer.days else 0, lambda pos=pos: _file(c, pos))
        if defer:
            p.then(rng.randint(1, 3) if c.offer.days else 0, lambda: _review_deferred(c))
        if s.stop == "handling":
            return self._in_handling(p, s, accepted, first[0])
        # waiting for the client after acceptance: the clock stops
        if s.correction or s.stop == "supplement_post":
            p.then(rng.randint(1, 2), lambda: _correction(c))
            p.then(0, lambda: _do(c, None, "request_supplement"))
            if s.stop == "supplement_post":
                p.max_age = p.cursor + 7
                return
            if s.stop in {"lapsed", "suspended"}:  # reminded, then suspended for it
                p.then(5, lambda: _do(c, SYSTEM, "remind"), "night")
                p.then(rng.randint(1, 2), lambda: _suspend(c, "materials_overdue"))
                return self._suspended(p, s)
            p.then(rng.randint(1, 4), lambda: _supplement(c))
        if s.stop in {"suspended", "lapsed"}:
            reasons = ["fees_unpaid", "client_pause", "materials_overdue"]
            code = s.reason or rng.choice(reasons)
            p.then(rng.randint(1, 3), lambda: _suspend(c, code))
            return self._suspended(p, s)
        if s.resumed:
            code = rng.choice(["fees_unpaid", "client_pause"])
            p.then(rng.randint(1, 3), lambda: _suspend(c, code))
            p.then(rng.randint(2, 12), lambda: _do(c, None, "resume", confirmation=c.sign()))
        if s.stop == "terminated_post":
            p.then(rng.randint(1, 4), lambda: self._terminate(c, s.reason, signed=True))
            return self._close(p, s)
        # the departments at work, on time (or now and then a little late)
        base = p.cursor
        scale = rng.uniform(1.05, 1.3) if rng.random() < 0.08 else rng.uniform(0.45, 0.9)
        results: dict[int, int] = {}  # position → the day its result came
        for pos, start, end in steps:
            filed = base + round(start * scale)
            if pos not in first:
                # an item is filed only once its prerequisites have results (the guard
                # ``prerequisites_have_results``); they come first in ``steps``
                filed = max([filed, *(results[q] for q in c.offer.needs.get(pos, []))])
                p.at(filed, lambda pos=pos: _file(c, pos))
            done = max(base + round(end * scale), filed + (1 if end > start else 0))
            results[pos] = done
            if end - start >= 5 and rng.random() < 0.5:
                p.at(
                    filed + 1, lambda pos=pos: _step(c, pos, "in_progress", "部门已受理，正在审查")
                )
            if end - start >= 5 and rng.random() < 0.15 and done - 2 > filed + 1:
                p.at(done - 2, lambda pos=pos: _expedite(c, pos, "服务对象急需，请加快办理"))
                p.at(done - 1, lambda pos=pos: _expedite_reply(c, pos, "已安排专人审查，近日出件"))
            denied = rng.random() < 0.03
            result = "不予许可（不符合法定条件）" if denied else rng.choice(RESULTS)
            status = "denied" if denied else "approved"
            p.at(done, lambda pos=pos, st=status, r=result: _step(c, pos, st, r))
        if rng.random() < 0.25:
            text = rng.choice(NOTES)
            p.then(0, lambda: _do(c, None, "note", text=text))
        p.then(
            rng.randint(0, 1) if c.offer.days else 0,
            lambda: _do(c, None, "complete", confirmation=c.sign()),
        )
        if s.stop == "completed":
            p.fresh = rng.random() < 0.7
            return
        method = s.method or rng.choices(["in_person", "post", "electronic"], [5, 2, 3])[0]
        gap = rng.randint(0, 3) if method == "in_person" else rng.randint(0, 1)
        p.then(gap, lambda: _deliver(c, method))
        self._close(p, s)

    def _in_handling(self, p: _Plan, s: Scenario, accepted: int, position: int) -> None:
        """Left in handling today: on time (due later) or overdue (due already past)."""
        c, rng = p.ctx, self.rng
        due = accepted + c.offer.days  # offset of the due date: nothing paused the clock
        if s.overdue:
            p.min_age = due + rng.randint(1, 8)
            p.max_age = p.min_age + 2
        else:
            p.max_age = max(due - 1, p.cursor)
        last = (p.min_age if s.overdue else p.max_age) - 1
        if last > p.cursor and rng.random() < 0.7:
            p.then(1, lambda: _step(c, position, "in_progress", "部门已受理，正在审查"))
        if s.overdue and last > p.cursor + 1:
            p.at(last - 1, lambda: _expedite(c, position, "已超过承诺时限，请尽快办结"))
            p.at(last, lambda: _expedite_reply(c, position, "正在等待现场核查结果，本周内办结"))
        if rng.random() < 0.3 and last > p.cursor:
            text = rng.choice(NOTES)
            p.then(1, lambda: _do(c, None, "note", text=text))

    def _suspended(self, p: _Plan, s: Scenario) -> None:
        c = p.ctx
        if s.stop == "suspended":  # the resumption period still runs today
            p.min_age = p.cursor + self.rng.randint(0, 8)
            p.max_age = p.cursor + RESUMPTION_DAYS - 1
            return
        p.then(RESUMPTION_DAYS // 2, lambda: _do(c, None, "remind"))
        # the nightly job, the first night after the resumption deadline
        p.then(RESUMPTION_DAYS - RESUMPTION_DAYS // 2 + 1, lambda: _do(c, SYSTEM, "lapse"), "night")
        self._close(p, s)

    def _terminate(self, c: _Ctx, code: str, signed: bool = False) -> None:
        who = self.world.coordinator if signed and c.rng.random() < 0.3 else None
        extra = {"confirmation": c.sign()} if signed else {}
        _do(c, who, "terminate", reason_code=code, reason=TERMINATIONS[code], **extra)

    def _close(self, p: _Plan, s: Scenario) -> None:
        if s.archive:
            c, rng = p.ctx, self.rng
            who = self.world.coordinator if rng.random() < 0.2 else None
            p.then(rng.randint(1, 8), lambda: _do(c, who, "archive"))


def _scenarios(count: int, rng: random.Random) -> list[Scenario]:
    chosen = list(COVERAGE[:count])
    stops, shares, weights = zip(*MIX, strict=True)
    archive_share = dict(zip(stops, shares, strict=True))
    reasons = list(TERMINATIONS)
    while len(chosen) < count:
        stop = rng.choices(stops, weights)[0]
        s = Scenario(stop, archive=rng.random() < archive_share[stop])
        if stop == "terminated_pre":
            s.reason = rng.choice(["other", "client_withdrew", "false_materials"])
        elif stop == "terminated_post":
            s.reason = rng.choice([r for r in reasons if r not in {"other", "false_materials"}])
        elif stop == "handling":
            s.overdue = rng.random() < 0.3
        if stop in {"handling", "completed", "delivered"}:
            roll = rng.random()
            s.relay = "chain" if roll < 0.05 else "town" if roll < 0.12 else ""
            s.bundle = not s.relay and rng.random() < 0.1
            s.convert = not s.bundle and rng.random() < 0.05
        if stop in {"completed", "delivered"}:
            s.correction = rng.random() < 0.1
            s.resumed = rng.random() < 0.06
        chosen.append(s)
    return chosen


# --------------------------------------------------------------------------------------
# Running the plans on their own dates
# --------------------------------------------------------------------------------------


def _moments(plan: _Plan, start: dt.date, calendar, rng: random.Random, tz) -> list:
    """The local datetime of each step: working hours, later steps of a day a bit later."""
    out, last = [], None
    for offset, _, kind, fn in sorted(plan.steps):
        day = calendar.add_workdays(start, offset) if offset else start
        if kind == "night":  # the nightly job: after midnight, the day after the deadline
            day = day if last is None or day > last.date() else last.date() + dt.timedelta(1)
            moment = dt.datetime.combine(day, dt.time(1, rng.randint(0, 30)), tz)
        elif last is not None and last.date() == day:
            moment = last + dt.timedelta(minutes=rng.randint(3, 40), seconds=rng.randint(0, 59))
        elif kind == "online":
            moment = dt.datetime.combine(day, dt.time(rng.randint(7, 22), rng.randint(0, 59)), tz)
        else:
            hour = rng.choice([8, 9, 9, 10, 10, 11, 14, 14, 15, 16])
            minute = rng.randint(30, 59) if hour == 8 else rng.randint(0, 59)
            moment = dt.datetime.combine(day, dt.time(hour, minute, rng.randint(0, 59)), tz)
        if last is not None and moment <= last:
            moment = last + dt.timedelta(minutes=1)
        out.append((moment, fn))
        last = moment
    return out


def load(county: Site, count: int | None = None) -> dict[str, int]:
    """Create the demo cases; return how many ended in each state."""
    if count is None:
        count = settings.DEMO_CASES
    rng = random.Random(SEED)
    tz = ZoneInfo(settings.TIME_ZONE)
    today = timezone.localdate()
    calendar = current_calendar()
    last_workday = calendar.add_workdays(today, -1)
    world = _World(county)
    planner = _Planner(world, _People(rng, today), rng)
    timeline = []
    for index, scenario in enumerate(_scenarios(count, rng)):
        plan = planner.plan(index, scenario)
        start = calendar.add_workdays(last_workday, -plan.age(rng))
        for moment, fn in _moments(plan, start, calendar, rng, tz):
            timeline.append((moment.astimezone(dt.UTC), index, plan.ctx, fn))
    timeline.sort(key=lambda row: row[:2])
    for moment, index, ctx, fn in timeline:
        ctx.now = moment  # the steps pass it on as at=
        try:
            fn()
        except Exception as error:
            error.add_note(
                f"演示办件第 {index + 1} 件，时间 {moment.astimezone(tz):%Y-%m-%d %H:%M}"
            )
            raise
    return dict(Counter(Case.objects.values_list("state", flat=True)))
