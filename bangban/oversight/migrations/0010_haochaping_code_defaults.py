"""Seed the 好差评 code table with the defaults of ``exchange_rules.DEFAULTS`` (a copy: a
migration does not import the app's code; ``test_exchange_rules`` keeps the two equal)."""

from django.db import migrations

DEFAULTS = (
    ("field", "number", "projectNo", "办件编号", "both"),
    ("field", "external_number", "onlineProjectNo", "政务服务网申办编号", "both"),
    ("field", "service", "serviceType", "服务类型（帮办/代办）", "both"),
    ("field", "item_code", "taskCode", "事项编码", "both"),
    ("field", "item_name", "taskName", "事项名称", "both"),
    ("field", "dept_code", "deptCode", "部门编码", "both"),
    ("field", "dept_name", "deptName", "部门名称", "both"),
    ("field", "site_code", "orgCode", "承办机构编码", "both"),
    ("field", "site_name", "orgName", "承办机构名称", "both"),
    ("field", "channel", "pf", "评价渠道", "both"),
    ("field", "level", "alternate", "评价等级", "both"),
    ("field", "indicators", "evalDetail", "分项评价（指标代码: 等级）", "both"),
    ("field", "comment", "writingEvaluation", "文字评价", "both"),
    ("field", "time", "assessTime", "评价时间", "both"),
    ("field", "rater", "userProp", "评价人类型", "both"),
    ("field", "real_name", "isRealName", "是否实名（1 是，0 否）", "both"),
    ("field", "rectification", "rectifyStatus", "差评整改状态", "both"),
    ("field", "rectification_result", "rectifyResult", "差评整改结果", "both"),
    ("field", "rectified_at", "rectifyTime", "整改办结时间", "both"),
    ("channel", "portal", "1", "PC端（门户网站）", "both"),
    ("channel", "portal", "2", "移动端", "import"),
    ("channel", "portal", "3", "二维码", "import"),
    ("channel", "window_device", "4", "政务大厅平板电脑（窗口评价器）", "both"),
    ("channel", "window_device", "5", "政务大厅其他终端", "import"),
    ("channel", "paper_form", "5", "纸质评价表（按政务大厅其他终端报送）", "export"),
    ("channel", "return_visit", "6", "电话（回访评价）", "export"),
    ("channel", "sms", "7", "短信", "both"),
    ("level", "5", "5", "非常满意", "both"),
    ("level", "4", "4", "满意", "both"),
    ("level", "3", "3", "基本满意", "both"),
    ("level", "2", "2", "不满意", "both"),
    ("level", "1", "1", "非常不满意", "both"),
    ("indicator", "overall", "ZTMYD", "总体满意度", "both"),
    ("indicator", "efficiency", "BSXL", "办事效率", "both"),
    ("indicator", "standard", "FWGF", "服务规范", "both"),
    ("indicator", "attitude", "FWTD", "服务态度", "both"),
    ("indicator", "guide_accuracy", "BSZNZQX", "办事指南准确性", "both"),
    ("indicator", "convenience", "BSBLD", "办事便利度", "both"),
    ("indicator", "ease_of_use", "PTYYX", "平台易用性", "both"),
    ("rater", "person", "1", "自然人", "both"),
    ("rater", "organisation", "2", "法人", "both"),
    ("service", "assist", "1", "帮办", "both"),
    ("service", "proxy", "2", "代办", "both"),
    ("rectification", "", "0", "无需整改（非差评）", "both"),
    ("rectification", "verifying", "1", "整改中（待回访核实）", "both"),
    ("rectification", "deciding", "1", "整改中（待确定处理方式）", "export"),
    ("rectification", "rectifying", "1", "整改中（限期整改）", "export"),
    ("rectification", "appealing", "1", "整改中（申诉复核）", "export"),
    ("rectification", "awaiting_rating", "2", "已整改（待服务对象评价）", "both"),
    ("rectification", "closed", "3", "已办结", "both"),
)


def seed(apps, schema_editor):
    Code = apps.get_model("oversight", "HaochapingCode")
    for kind, ours, code, label, direction in DEFAULTS:
        Code.objects.get_or_create(
            kind=kind, ours=ours, code=code, defaults={"label": label, "direction": direction}
        )


class Migration(migrations.Migration):
    dependencies = [("oversight", "0009_haochaping_code_table")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
