"""Every form renders from a demo-like case with the client, the item, the number, the
fields its seed asks for, real Chinese glyphs and embedded fonts."""

import io

import pytest
from PIL import Image

from bangban.documents.fields import track_url
from bangban.documents.kinds import KINDS, Kind
from bangban.documents.models import FormWording, Letterhead
from bangban.documents.rendering import qr_svg, render_html
from bangban.documents.services import document_render
from bangban.testing import make_resident_id

from .cases import issued
from .pdf import fonts, pdffonts, squeeze, text

pytestmark = pytest.mark.django_db

REQUIRED = {
    # 一表申请: the item's own form, filled from the one answer set, personal values masked
    Kind.DEPARTMENT_FORM: [
        "部门申请表",
        "申请事项",
        "审批部门",
        "县市场监督管理局",
        "申请人名称",
        "法定代表人（负责人）身份证号",
        "联系电话",
        "138****5678",
        "经营场所",
        "示范县",
        "从业人员数",
        "申请人或经办人签名",
    ],
    Kind.APPLICATION: [
        "帮办申请表",
        "申请单位（人）",
        "申请日期",
        "申请人证件号码",
        "联系电话",
        "帮办类别及事项名称",
        "投资建设",
        "企业开办",
        "民生事务",
        "申请人或经办人签名",
    ],
    Kind.ENTRUSTMENT: [
        "代办服务委托书",
        "委托人",
        "身份证号",
        "联系方式",
        "代办人",
        "村A代办员",
        "特委托",
        "大厅自取",
        "免费物流快递",
        "接收人",
        "邮寄地址",
        "委托人承诺",
        "对申报材料的真实合法性负责，并承担相应的法律责任",
        "代办结果我均予以认可并愿意承担相关法律责任",
        "委托人（签章）",
        "代办员签字",
    ],
    Kind.SERVICE_NOTICE: [
        "帮办代办服务告知书",
        "委托人职责",
        "负责提交真实有效的申报材料",
        "代办人职责",
        "代办须知",
        "委托人主动提出书面终止委托代办服务",
        "其他造成代办服务终止的情形",
        "委托人（签章）",
    ],
    Kind.REFUSAL_NOTICE: [
        "不予受理告知书",
        "决定不予受理",
        "理由如下",
        "申请事项属于县级权限，本服务站不能受理，请向县政务服务中心申请",
    ],
    Kind.ONE_TIME_NOTICE: [
        "一次性告知单",
        "收到您（单位）提交的",
        "符合事项申请格式要求",
        "序号",
        "申请材料名称",
        "备注",
        "食品安全管理制度",
        "场所平面图",
        "您还需补充提交或补正以下材料",
        "食品经营许可申请书",
        "营业执照",
        "县市场监督管理局窗口或网上申领",
        "申请人/咨询人（签名/盖章）",
        "此告知单一式两份",
    ],
    Kind.ACCEPTANCE_SLIP: [
        "帮办代办受理单",
        "申请单位（人）",
        "申请人证件号码",
        "帮办代办类别及事项名称",
        "服务类型",
        "帮办",
        "代办",
        "经办人",
        "联系电话",
        "交办日期",
        "帮办代办员签名",
        "本表一式两份，委托代办单位（人）、帮办代办单位各一份。",
    ],
    Kind.SUSPENSION_SLIP: [
        "代办服务中止单",
        "中止原因",
        "未及时缴纳行政事业性收费",
        "服务对象提出暂停委托代办服务",
        "中止日期",
        "续办期限",
        "代办服务续办委托书",
        "视为服务终止",
        "委托人签字确认",
    ],
    Kind.RESUMPTION_ENTRUSTMENT: [
        "代办服务续办委托书",
        "中止单编号",
        "ZZ-V1-",
        "原中止原因",
        "未及时缴纳行政事业性收费",
        "续办日期",
        "中止原因已消除",
        "委托人（签章）",
    ],
    Kind.TERMINATION_SLIP: [
        "办结（终止）单",
        "终止日期",
        "终止原因",
        "委托人书面提出终止委托",
        "资料移交",
        "服务对象签字确认",
        "帮办代办员签字",
    ],
    Kind.COMPLETION_SLIP: [
        "办结（终止）单",
        "办结日期",
        "办理结果",
        "县市场监督管理局",
        "准予许可",
        "全部资料和审批文件已向服务对象移交完毕",
        "服务对象签字确认",
    ],
    Kind.EVALUATION: [
        "帮办代办服务评价表",
        "完成帮办代办服务工作",
        "非常满意",
        "满意",
        "基本满意",
        "不满意",
        "非常不满意",
        "意见及建议",
        "评价人（项目单位/群众）",
        "评价日期",
        "回访人",
        "回访日期",
    ],
}


def test_every_form_has_its_required_fields_listed():
    assert set(REQUIRED) == set(Kind)


@pytest.mark.parametrize("kind", list(Kind))
def test_the_form_prints_client_item_number_and_its_fields_in_real_chinese_glyphs(world, kind):
    case, document = issued(world, kind)
    printed = text(document)
    assert KINDS[kind].label in printed
    assert "张三" in printed and "食品经营许可" in printed
    assert document.number in printed and case.number in printed
    missing = [f for f in REQUIRED[kind] if squeeze(f) not in printed]
    assert not missing, missing
    # personal data is printed masked, never in full
    assert make_resident_id() not in printed and "13812345678" not in printed
    if kind not in (
        Kind.SERVICE_NOTICE,
        Kind.EVALUATION,
        Kind.REFUSAL_NOTICE,
        Kind.ONE_TIME_NOTICE,
    ):
        assert "110105********" in printed


@pytest.mark.parametrize("kind", [Kind.ENTRUSTMENT, Kind.ONE_TIME_NOTICE])
def test_the_fonts_are_embedded_subsets(world, kind):
    _, document = issued(world, kind)
    found = fonts(document)
    assert found and all(f["embedded"] for f in found), found
    reported = pdffonts(document)
    if reported is not None:
        assert reported and all(emb == "yes" for _, emb in reported), reported


def test_the_qr_code_opens_the_public_progress_page_of_the_case(world):
    case, document = issued(world, Kind.ACCEPTANCE_SLIP)
    url = document.fields["track_url"]
    assert url == track_url("http://127.0.0.1:8000", case.number)
    assert url.endswith(f"/track/?number={case.number}")
    html = render_html(document.fields, KINDS[Kind.ACCEPTANCE_SLIP].template)
    assert qr_svg(url) in html


def _logo_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 120), (180, 20, 20)).save(out, format="PNG")
    return out.getvalue()


def test_a_centre_sets_its_header_logo_footer_and_wording_in_the_admin(world):
    from django.core.files.base import ContentFile

    letterhead = Letterhead(
        site=world.county,
        title="示范县政务服务中心",
        subtitle="“帮吾办”帮办代办服务",
        footer="地址：示范县人民路1号　监督投诉电话：12345",
        public_url="https://zwfw.example.gov.cn/",
    )
    letterhead.logo.save("logo.png", ContentFile(_logo_png()), save=False)
    letterhead.save()
    FormWording.objects.create(
        letterhead=letterhead,
        kind=Kind.SERVICE_NOTICE,
        title="“帮吾办”帮办代办服务告知书",
        clauses="服务全程免费。\n请保管好本告知书。",
    )
    case, document = issued(world, Kind.SERVICE_NOTICE)  # a village case: the county's letterhead
    printed = text(document)
    for expected in (
        "示范县政务服务中心",
        "“帮吾办”帮办代办服务",
        "人民路1号",
        "12345",
        "“帮吾办”帮办代办服务告知书",
        "请保管好本告知书",
    ):
        assert squeeze(expected) in printed
    assert "委托人职责" not in printed  # the clauses replace the standard ones
    assert document.fields["track_url"].startswith("https://zwfw.example.gov.cn/track/")
    from .pdf import image_count

    assert image_count(document) == 1  # the logo


def test_a_template_placed_in_the_forms_directory_overrides_the_standard_one(
    world, tmp_path, settings
):
    override = tmp_path / "forms" / "V1" / "documents"
    override.mkdir(parents=True)
    (override / "evaluation.html").write_text(
        '{% extends "documents/_form.html" %}{% block body %}'
        "<p>{{ client.name }}：请对本站服务打分（1-10分）</p>{% endblock %}",
        encoding="utf-8",
    )
    settings.FORMS_DIR = tmp_path / "forms"
    _, document = issued(world, Kind.EVALUATION)
    assert "请对本站服务打分（1-10分）" in text(document)


def test_a_document_snapshot_is_what_gets_printed_even_if_the_case_changes_later(world):
    case, document = issued(world, Kind.REFUSAL_NOTICE, render=False)
    case.client.name = "张三丰"
    case.client.save(update_fields=["name"])
    document = document_render(document)
    assert "张三丰" not in text(document)
