"""Every kind of message the platform sends: its key, audience, variables and default text.

A plain module (no Django import). The ``MessageTemplate`` table holds the text that
administrators edit; a data migration seeds it from ``DEFAULTS`` here, and a key missing
from the table falls back to its default, so a message is never lost for want of a row.

Each template may use only the variables listed for it (checked when it is saved, see
``rendering.validate``). Values are plain strings, numbers, booleans and lists of strings
built by the code that enqueues the message; templates never see a model object.

Client messages go by SMS (when the client has a mobile and has not opted out); staff
messages appear as in-platform notices and, as each person prefers, by e-mail or SMS,
at once or in a daily digest.

Keys marked ``api_only`` are sent by features that call ``outbox.enqueue`` themselves
(appointments, complaints and bad reviews, rectification), or through the core's port
(``cases.messaging.notify``: consultations' replies due and answers, the visits area's
confirmations and reminders); no workflow event sends them. A client template may also go
to a ``messaging.Mobile``: a person known only by the number they gave.
"""

from __future__ import annotations

from dataclasses import dataclass

CLIENT = "client"
STAFF = "staff"

# Variables every message about a case may use.
CASE_VARIABLES = {
    "client_name": "服务对象姓名或名称",
    "case_number": "办件编号",
    "title": "办理事项",
    "service_type": "服务类型（帮办/代办）",
    "site_name": "承办机构名称",
    "site_phone": "承办机构联系电话",
    "site_address": "承办机构地址",
    "opening_hours": "承办机构办公时间",
}


# How the result reaches the client and the nearest site, for the messages that send the
# client somewhere (suspension, completion, reminders, termination). The delivery method is
# the one recorded, else the client's choice online (``cases.models.DeliveryChoice``); the
# nearest site is the one that received the application (a village station keeps handing
# over what it relayed up to the county), else the case's site (``events.delivery_context``).
DELIVERY_VARIABLES = {
    "delivery_way": "结果领取方式（当面交付/邮寄送达/电子证照；尚未选择为空）",
    "by_post": "是否邮寄送达（真/假）",
    "by_licence": "是否电子证照（真/假）",
    "post_address": "邮寄地址（脱敏）",
    "pickup_site": "就近办理机构（受理申请的机构：领取结果、办理续办、领回材料）",
    "pickup_address": "就近办理机构地址",
    "pickup_phone": "就近办理机构联系电话",
    "pickup_hours": "就近办理机构办公时间",
}


@dataclass(frozen=True)
class TemplateSpec:
    key: str
    name: str
    audience: str
    variables: dict[str, str]
    subject: str
    body: str
    when: str
    api_only: bool = False
    case_variables: bool = True

    @property
    def allowed(self) -> dict[str, str]:
        """Every variable this template may use, with its description."""
        base = dict(CASE_VARIABLES) if self.case_variables else {}
        return {**base, **self.variables}


SIGN = "【帮办代办】"

_SPECS = [
    # --- to clients -----------------------------------------------------------------
    TemplateSpec(
        "client.received",
        "申请已收到",
        CLIENT,
        {},
        "申请已收到",
        SIGN + "{{ client_name }}，您的“{{ title }}”{{ service_type }}申请已收到，"
        "办件编号{{ case_number }}，由{{ site_name }}承办。"
        "{% if site_phone %}如有疑问请致电{{ site_phone }}。{% endif %}",
        "服务对象提交申请或在窗口登记办件时",
    ),
    TemplateSpec(
        "client.refused",
        "不予受理告知",
        CLIENT,
        {"reason": "不予受理的理由", "document": "文书编号"},
        "不予受理告知",
        SIGN + "{{ client_name }}，您申请的“{{ title }}”（办件编号{{ case_number }}）"
        "经审核不予受理，理由：{{ reason }}。如有疑问请联系{{ site_name }}"
        "{% if site_phone %}（{{ site_phone }}）{% endif %}。",
        "不予受理时（seed 000 §10.1.3.2：及时告知并说明理由）",
    ),
    TemplateSpec(
        "client.one_time_notice",
        "一次性告知（需补正材料）",
        CLIENT,
        {
            "needed": "需补充或补正的材料（列表）",
            "supplement_due_on": "补正期限",
            "document": "一次性告知单编号",
        },
        "一次性告知",
        SIGN + "{{ client_name }}，您的“{{ title }}”（{{ case_number }}）还需补充或补正以下材料："
        "{{ needed|join:'、' }}。请于{{ supplement_due_on }}前提交至{{ site_name }}。"
        "一次性告知单编号{{ document }}。",
        "出具一次性告知单时",
    ),
    TemplateSpec(
        "client.supplement_reminder",
        "补正提醒",
        CLIENT,
        {
            "needed": "尚需补充或补正的材料（列表）",
            "supplement_due_on": "补正期限",
            "overdue": "是否已过补正期限（真/假）",
        },
        "补正提醒",
        SIGN + "{{ client_name }}，提醒您：办件{{ case_number }}（{{ title }}）尚需补充材料："
        "{{ needed|join:'、' }}，补正期限{{ supplement_due_on }}"
        "{% if overdue %}已过，请尽快提交，仍未提交的代办服务可能中止{% else %}，请按时提交{% endif %}。",
        "补正期限前一个工作日和逾期后各一次（定时任务），或工作人员催告时",
    ),
    TemplateSpec(
        "client.accepted",
        "受理通知（含办结时限）",
        CLIENT,
        {
            "document": "受理单编号",
            "promised_days": "承诺时限（工作日）",
            "due_on": "预计办结日期",
        },
        "受理通知",
        SIGN + "{{ client_name }}，您的“{{ title }}”已受理（受理单{{ document }}），"
        "{% if promised_days %}承诺{{ promised_days }}个工作日内办结，预计{{ due_on }}前办结"
        "{% else %}本事项为即办件，将当场办结{% endif %}。可凭办件编号{{ case_number }}查询进度。",
        "受理时",
    ),
    TemplateSpec(
        "client.progress",
        "办理进展",
        CLIENT,
        {"department": "审批部门", "status": "办理进度", "result": "办理结果"},
        "办理进展",
        SIGN + "{{ client_name }}，您的“{{ title }}”（{{ case_number }}）办理进展："
        "{{ department }}{{ status }}{% if result %}（{{ result }}）{% endif %}。",
        "审批部门出具结果时（seed 003 第八条（三）：及时反馈事项办理进展）",
    ),
    TemplateSpec(
        "client.suspended",
        "中止通知（含续办期限）",
        CLIENT,
        {
            "reason": "中止原因",
            "resumption_due_on": "续办期限",
            "document": "中止单编号",
            "fee_amount": "应缴金额（元；因未缴费中止时）",
            "fee_payee": "缴费地点或方式",
            **DELIVERY_VARIABLES,
        },
        "代办服务中止",
        SIGN + "{{ client_name }}，您委托代办的“{{ title }}”（{{ case_number }}）已中止，"
        "原因：{{ reason }}。{% if fee_amount %}应缴金额{{ fee_amount }}元，缴费地点或方式：{{ fee_payee }}。{% endif %}请于{{ resumption_due_on }}前到{{ pickup_site|default:site_name }}"
        "{% if pickup_phone %}（电话{{ pickup_phone }}）{% endif %}办理续办手续，"
        "逾期视为服务终止。{% if by_post %}续办后结果仍邮寄送达。{% endif %}",
        "中止代办时",
    ),
    TemplateSpec(
        "client.resumption_reminder",
        "续办期限提醒",
        CLIENT,
        {"resumption_due_on": "续办期限", "days_left": "剩余工作日", **DELIVERY_VARIABLES},
        "续办期限提醒",
        SIGN + "{{ client_name }}，您中止的代办事项“{{ title }}”（{{ case_number }}）"
        "续办期限为{{ resumption_due_on }}，请及时联系{{ pickup_site|default:site_name }}办理续办；"
        "逾期视为服务终止，需重新提出代办委托。",
        "续办期限前两个工作日内一次（定时任务），或工作人员催告时",
    ),
    TemplateSpec(
        "client.terminated",
        "终止通知",
        CLIENT,
        {"reason": "终止原因", "document": "办结（终止）单编号", **DELIVERY_VARIABLES},
        "服务终止",
        SIGN + "{{ client_name }}，您的“{{ title }}”（{{ case_number }}）{{ service_type }}服务"
        "已终止，原因：{{ reason }}。"
        "{% if document %}办结（终止）单号{{ document }}。{% endif %}"
        "已交材料请到{{ pickup_site|default:site_name }}领回。如仍需办理，可重新申请{{ service_type }}"
        "{% if site_phone %}，咨询电话{{ site_phone }}{% endif %}。",
        "终止时，包括续办期限届满自动终止（seed 000 §10.2.5.2、§10.2.6：出具办结（终止）单，"
        "超过续办期限的服务对象须重新提出委托）",
    ),
    TemplateSpec(
        "client.completed",
        "办结通知（领取方式）",
        CLIENT,
        {"document": "办结单编号", **DELIVERY_VARIABLES},
        "办结通知",
        SIGN + "{{ client_name }}，您的“{{ title }}”（{{ case_number }}）已办结。"
        "{% if by_post %}结果将邮寄送达{% if post_address %}至{{ post_address }}{% endif %}，"
        "寄出后短信告知运单号。"
        "{% elif by_licence %}结果将以电子证照发放，发放后短信告知证照编号。"
        "{% else %}请到{{ pickup_site|default:site_name }}{% if pickup_address %}（{{ pickup_address }}）{% endif %}"
        "领取结果{% if not delivery_way %}，也可选择邮寄送达或电子证照{% endif %}"
        "{% if pickup_hours %}；办公时间{{ pickup_hours }}{% endif %}。{% endif %}",
        "办结时",
    ),
    TemplateSpec(
        "client.delivered",
        "结果交付（含邮寄单号）",
        CLIENT,
        {
            "delivery_method": "交付方式",
            "carrier": "快递公司",
            "tracking_no": "运单号",
            "licence_no": "电子证照编号",
        },
        "结果已交付",
        SIGN + "{{ client_name }}，您的“{{ title }}”办理结果已{{ delivery_method }}"
        "{% if tracking_no %}，{{ carrier }}运单号{{ tracking_no }}{% endif %}"
        "{% if licence_no %}，电子证照编号{{ licence_no }}{% endif %}。",
        "结果交付时",
    ),
    TemplateSpec(
        "client.evaluation_invite",
        "评价邀请",
        CLIENT,
        {
            "levels": "评价等级（列表：所在中心采用的等级，cases.ratings）",
            "evaluate_url": "本人专用评价链接（无需输入编号和手机号，30天内有效）",
            "pickup_site": "就近办理机构",
        },
        "服务评价邀请",
        SIGN
        + "{{ client_name }}，感谢您使用帮办代办服务。请对本次服务（办件编号{{ case_number }}）"
        "作出评价（{{ levels|join:'、' }}），点击{{ evaluate_url }}即可评价，"
        "也可告知{{ pickup_site|default:site_name }}工作人员。",
        "结果交付时；终止或不予受理的办件在归档时（尚未评价的）",
    ),
    TemplateSpec(
        "client.complaint_reply",
        "投诉或差评答复",
        CLIENT,
        {"client_name": "服务对象姓名或名称", "reply": "答复内容", "phone": "联系电话"},
        "答复",
        SIGN + "{{ client_name }}，您反映的问题已处理：{{ reply }}"
        "{% if phone %}如有异议请致电{{ phone }}。{% endif %}",
        "答复投诉或差评时（由投诉与评价功能调用）",
        api_only=True,
        case_variables=False,
    ),
    TemplateSpec(
        "client.appointment_confirmed",
        "预约确认",
        CLIENT,
        {
            "client_name": "服务对象姓名或名称",
            "site_name": "服务机构",
            "site_address": "服务机构地址",
            "title": "预约事项",
            "appointment_time": "预约时间",
            "number": "预约编号",
        },
        "预约确认",
        SIGN + "{{ client_name }}，您已预约{{ appointment_time }}到{{ site_name }}"
        "{% if site_address %}（{{ site_address }}）{% endif %}办理“{{ title }}”，请按时前往。"
        "{% if number %}预约编号{{ number }}。{% endif %}",
        "预约成功时（由预约功能调用）",
        api_only=True,
        case_variables=False,
    ),
    TemplateSpec(
        "client.appointment_reminder",
        "预约提醒",
        CLIENT,
        {
            "client_name": "服务对象姓名或名称",
            "site_name": "服务机构",
            "title": "预约事项",
            "appointment_time": "预约时间",
        },
        "预约提醒",
        SIGN + "{{ client_name }}，提醒您：您预约了{{ appointment_time }}到{{ site_name }}"
        "办理“{{ title }}”，请携带相关材料按时前往。",
        "预约前一天（由预约功能调用）",
        api_only=True,
        case_variables=False,
    ),
    TemplateSpec(
        "client.home_visit_confirmed",
        "上门服务安排确认",
        CLIENT,
        {
            "number": "上门服务申请编号",
            "agent_name": "上门的帮办代办员",
            "visit_time": "上门时间（如10月8日 10:00）",
            "reply": "协调员告知申请人的话（可能为空）",
        },
        "上门服务已安排",
        SIGN + "您的上门服务申请（{{ number }}）已安排：帮办代办员{{ agent_name }}将于"
        "{{ visit_time }}上门。{{ reply }}",
        "协调员安排上门服务（或改期）时（由预约与上门功能调用）",
        api_only=True,
        case_variables=False,
    ),
    TemplateSpec(
        "client.home_visit_reminder",
        "上门服务提醒",
        CLIENT,
        {
            "number": "上门服务申请编号",
            "agent_name": "上门的帮办代办员",
            "visit_time": "上门时间（如10月8日 10:00）",
            "needs": "需要办理的事情（摘要）",
        },
        "上门服务提醒",
        SIGN + "提醒您：帮办代办员{{ agent_name }}将于{{ visit_time }}上门办理"
        "“{{ needs }}”，请备好相关材料。如需改期请致电服务点。",
        "上门前一天（由预约与上门功能调用）",
        api_only=True,
        case_variables=False,
    ),
    TemplateSpec(
        "client.home_visit_declined",
        "上门服务不予安排",
        CLIENT,
        {"number": "上门服务申请编号", "reply": "不予安排的理由及其他办法"},
        "上门服务申请答复",
        SIGN + "您的上门服务申请（{{ number }}）：{{ reply }}",
        "协调员不予安排上门服务时（由预约与上门功能调用）",
        api_only=True,
        case_variables=False,
    ),
    TemplateSpec(
        "client.consultation_answered",
        "咨询答复",
        CLIENT,
        {
            "client_name": "咨询人",
            "asked_on": "咨询日期（如10月8日）",
            "content": "咨询内容（前20字）",
            "answer": "答复内容（超过60字的截断，全文见链接）",
            "page_url": "本人专用的咨询页面链接（无需登录）",
        },
        "咨询答复",
        SIGN + "{{ client_name }}，您{{ asked_on }}的咨询（{{ content }}）已答复："
        "{{ answer }} 查看：{{ page_url }}",
        "记录咨询答复时，发往咨询人登记的手机号码（由咨询功能调用）",
        api_only=True,
        case_variables=False,
    ),
    TemplateSpec(
        "client.details_corrected",
        "手机号码或地址已更正",
        CLIENT,
        {
            "field": "更正项目（手机号码或地址）",
            "new_value": "更正后的信息（脱敏）",
            "reason": "更正理由（摘要，长串数字已遮盖）",
            "day": "更正日期（如10月8日）",
            "site_name": "办理更正的机构",
            "site_phone": "该机构联系电话",
        },
        "个人信息更正告知",
        SIGN + "您登记的{{ field }}已于{{ day }}由{{ site_name }}更正为{{ new_value }}"
        "（理由：{{ reason }}）。如非本人申请，请"
        "{% if site_phone %}致电{{ site_phone }}{% else %}联系{{ site_name }}{% endif %}。",
        "工作人员更正服务对象的手机号码（发往原号码）或地址（发往登记的号码）时",
        api_only=True,
        case_variables=False,
    ),
    # --- to staff -------------------------------------------------------------------
    TemplateSpec(
        "staff.new_case",
        "新办件",
        STAFF,
        {"channel": "申请渠道"},
        "新办件：{{ case_number }}",
        "{{ site_name }}收到新的{{ service_type }}申请：“{{ title }}”（{{ case_number }}，"
        "{{ channel }}），服务对象{{ client_name }}。请及时预审。",
        "服务对象在网上提交申请时，通知承办机构的帮办代办员",
    ),
    TemplateSpec(
        "staff.relay_in",
        "移交待接收",
        STAFF,
        {"from_site": "移出机构", "to_site": "接收机构", "note": "移交说明"},
        "待接收移交：{{ case_number }}",
        "{{ from_site }}将办件{{ case_number }}（“{{ title }}”）移交至{{ to_site }}，"
        "说明：{{ note }}。请及时接收或退回。",
        "办件移交时，通知接收机构的帮办代办员",
    ),
    TemplateSpec(
        "staff.relay_returned",
        "移交被退回",
        STAFF,
        {"by_site": "退回的机构", "reason": "退回理由"},
        "移交被退回：{{ case_number }}",
        "{{ by_site }}退回了办件{{ case_number }}（“{{ title }}”）的移交，理由：{{ reason }}。",
        "接收机构退回移交时，通知原承办人",
    ),
    TemplateSpec(
        "staff.assigned",
        "分派办件",
        STAFF,
        {"actor_name": "分派人"},
        "分派给您：{{ case_number }}",
        "{{ actor_name }}将办件{{ case_number }}（“{{ title }}”，服务对象{{ client_name }}）分派给您。",
        "协调员分派办件时，通知被分派的帮办代办员",
    ),
    TemplateSpec(
        "staff.supplemented",
        "服务对象已补正",
        STAFF,
        {},
        "已补正：{{ case_number }}",
        "服务对象{{ client_name }}已为办件{{ case_number }}（“{{ title }}”）补正材料，请及时预审。",
        "服务对象在网上补正材料时",
    ),
    TemplateSpec(
        "staff.expedite",
        "促办",
        STAFF,
        {"actor_name": "促办人", "department": "审批部门", "expedite_message": "促办内容"},
        "促办：{{ case_number }}",
        "{{ actor_name }}就办件{{ case_number }}（“{{ title }}”）向{{ department }}促办："
        "{{ expedite_message }}。请及时答复。",
        "促办时，通知该部门的对接人员",
    ),
    TemplateSpec(
        "staff.expedite_reply",
        "促办答复",
        STAFF,
        {"department": "审批部门", "reply": "答复内容"},
        "促办答复：{{ case_number }}",
        "{{ department }}答复了办件{{ case_number }}（“{{ title }}”）的促办：{{ reply }}",
        "部门答复促办时，通知促办人",
    ),
    TemplateSpec(
        "staff.deadline_warning",
        "临近到期",
        STAFF,
        {"due_on": "到期日", "days_left": "剩余工作日"},
        "临近到期：{{ case_number }}",
        "办件{{ case_number }}（“{{ title }}”）将于{{ due_on }}到期，"
        "剩余{{ days_left }}个工作日，请抓紧办理。",
        "每个工作日一次：承诺时限剩余不超过2个工作日（或不超过时限的20%）时",
    ),
    TemplateSpec(
        "staff.overdue",
        "已超期",
        STAFF,
        {"due_on": "到期日", "days_late": "已超期工作日"},
        "已超期：{{ case_number }}",
        "办件{{ case_number }}（“{{ title }}”）已超过承诺时限（到期日{{ due_on }}，"
        "已超期{{ days_late }}个工作日），请立即处理。",
        "每个工作日一次：办件超过承诺时限时，通知承办人和负责协调的协调员",
    ),
    TemplateSpec(
        "staff.case_lapsed",
        "续办期限届满自动终止",
        STAFF,
        {"resumption_due_on": "续办期限", "document": "办结（终止）单编号"},
        "已自动终止：{{ case_number }}",
        "办件{{ case_number }}（“{{ title }}”）续办期限（{{ resumption_due_on }}）届满，"
        "已由系统自动终止并出具办结（终止）单{{ document }}。"
        "请通知服务对象领回材料，并将该单交服务对象留存。",
        "续办期限届满、系统自动终止办件时",
    ),
    TemplateSpec(
        "staff.consultation_due",
        "咨询答复到期",
        STAFF,
        {
            "client_name": "咨询人",
            "content": "咨询内容（摘要）",
            "reply_due_on": "答复期限",
            "handled_by": "首问责任人",
            "overdue": "是否已超期（真/假）",
        },
        "咨询{% if overdue %}已超期{% else %}今日须答复{% endif %}",
        "{{ client_name }}的咨询（{{ content }}）"
        "{% if overdue %}已超过答复期限{{ reply_due_on }}仍未答复{% else %}须于今日"
        "（{{ reply_due_on }}）答复{% endif %}，首问责任人{{ handled_by }}。",
        "每个工作日一次：咨询答复期限当日及超期后",
        api_only=True,
        case_variables=False,
    ),
    TemplateSpec(
        "staff.plan_review_due",
        "应急预案评审到期",
        STAFF,
        {
            "site": "服务机构",
            "title": "预案名称",
            "due_on": "下次评审日期",
            "overdue": "是否已过期（真/假）",
        },
        "应急预案{% if overdue %}已过评审期{% else %}即将到期评审{% endif %}",
        "{{ site }}的应急预案“{{ title }}”须于{{ due_on }}前完成年度评审"
        "{% if overdue %}（已过期）{% endif %}，评审后请在工作台登记。",
        "每年一次：应急预案年度评审日前 30 日内（由应急预案功能调用）",
        api_only=True,
        case_variables=False,
    ),
    TemplateSpec(
        "staff.rectification_due",
        "整改到期",
        STAFF,
        {"subject": "整改事项", "due_on": "整改期限"},
        "整改到期：{{ subject }}",
        "整改事项“{{ subject }}”须于{{ due_on }}前完成并反馈。",
        "差评整改开始时，告知承办的帮办代办员（由监督整改功能调用）",
        api_only=True,
        case_variables=False,
    ),
    TemplateSpec(
        "staff.calendar_missing",
        "节假日安排未录入",
        STAFF,
        {"years": "未录入的年份"},
        "请录入{{ years }}年节假日安排",
        "{{ years }}年法定节假日安排尚未录入，系统暂按周末计算工作日，办件时限可能不准确。"
        "请在管理后台的节假日设置中录入国务院公布的安排。",
        "每周一次：当年未录入，或12月时次年未录入，通知系统管理员",
        case_variables=False,
    ),
    TemplateSpec(
        "staff.digest",
        "每日汇总",
        STAFF,
        {"staff_name": "收件人", "day": "汇总日期", "count": "消息条数", "items": "消息（列表）"},
        "帮办代办消息汇总（{{ count }}条）",
        "{{ staff_name }}，{{ day }}以来共有{{ count }}条消息：\n"
        "{% for line in items %}{{ forloop.counter }}. {{ line }}\n{% endfor %}",
        "每个工作日早上一次，发给选择“每日汇总”的工作人员",
        case_variables=False,
    ),
]

DEFAULTS: dict[str, TemplateSpec] = {spec.key: spec for spec in _SPECS}
CHOICES = [(spec.key, spec.name) for spec in _SPECS]


def spec(key: str) -> TemplateSpec:
    try:
        return DEFAULTS[key]
    except KeyError:
        raise KeyError(f"未知的消息模板：{key}") from None
