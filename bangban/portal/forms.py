"""The portal's forms: few fields each, labels and hints in Chinese, errors said in words.

The template tag ``portal_tags.widget`` ties each field to its hint and its error for
screen readers (``aria-describedby``, ``aria-invalid``).
"""

from __future__ import annotations

from django import forms

from bangban.cases import ratings
from bangban.cases.workflow import DELIVERY_METHODS
from bangban.clients.models import ClientKind
from bangban.visits.models import PRIORITY_GROUPS

# the portal's own rating form offers GB/T 39734's five levels (the one list: cases.ratings)
EVALUATION_LEVELS = ratings.FIVE_LEVELS.labels


class PortalForm(forms.Form):
    """A form the portal's field template can tie to its hint and error (see portal_tags)."""

    required_css_class = "required"


class PhoneForm(PortalForm):
    phone = forms.CharField(
        label="手机号码",
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "tel", "spellcheck": "false"}
        ),
        help_text="我们会向这个号码发送短信验证码",
    )


class CodeForm(PortalForm):
    code = forms.CharField(
        label="短信验证码",
        max_length=8,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "spellcheck": "false"}
        ),
        help_text="6位数字，5分钟内有效",
    )


class ServiceTypeForm(PortalForm):
    service_type = forms.ChoiceField(label="您需要哪种服务", widget=forms.RadioSelect)

    def __init__(self, *args, offered: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        hints = {
            "assist": "帮办：工作人员指导、陪同您本人办理",
            "proxy": "代办：您委托工作人员全程替您办理",
        }
        self.fields["service_type"].choices = [(code, hints[code]) for code in offered]
        if len(offered) == 1:
            self.fields["service_type"].initial = offered[0]


class SiteForm(PortalForm):
    site = forms.ChoiceField(
        label="在哪个服务点办理", help_text="选离您近的服务点；村（社区）办不了的会转到镇或县"
    )

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [("", "请选择")] + [(s.code, s.name) for s in sites]


class ApplicantKindForm(PortalForm):
    kind = forms.ChoiceField(
        label="谁是申请人",
        widget=forms.RadioSelect,
        choices=[
            (ClientKind.PERSON, "我本人（个人）"),
            (ClientKind.ORGANISATION, "企业或其他组织"),
        ],
    )


class PersonForm(PortalForm):
    name = forms.CharField(
        label="姓名", max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    id_number = forms.CharField(
        label="居民身份证号码",
        max_length=30,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        help_text="18位，末位可能是X",
    )
    priority = forms.MultipleChoiceField(
        label="是否需要特别照顾（可不选）",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[("elderly", "我是老年人"), ("disabled", "我是残疾人")],
    )


class OrganisationForm(PortalForm):
    name = forms.CharField(label="企业或组织名称", max_length=200)
    id_number = forms.CharField(
        label="统一社会信用代码",
        max_length=30,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        help_text="18位，见营业执照",
    )
    legal_representative = forms.CharField(label="法定代表人", max_length=50)
    contact_person = forms.CharField(label="经办人（可不填）", max_length=50, required=False)


class NeedsForm(PortalForm):
    needs = forms.CharField(
        label="想让我们知道的情况（可不填）",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="例如：行动不便、希望电话联系的时间",
    )


class DeliveryForm(PortalForm):
    method = forms.ChoiceField(
        label="办好后怎样领取结果",
        widget=forms.RadioSelect,
        choices=[
            (
                str(k),
                {"in_person": "到服务点当面领取", "post": "邮寄到家", "electronic": "电子证照"}[k],
            )
            for k in DELIVERY_METHODS
        ],
    )
    address = forms.CharField(
        label="邮寄地址（选择邮寄时填写）",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("method") == "post" and not data.get("address", "").strip():
            self.add_error("address", "选择邮寄到家时请填写邮寄地址")
        return data


class UploadForm(PortalForm):
    file = forms.FileField(
        label="选择文件",
        help_text="PDF、JPG 或 PNG，不超过10MB；可以用手机拍照",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}
        ),
    )


class TrackForm(PortalForm):
    number = forms.CharField(
        label="办件编号",
        max_length=40,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        help_text="见回执或表格右上角，如 BJ-C01-2026-000001",
    )
    phone = forms.CharField(
        label="申请时登记的手机号码",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    def clean_number(self):
        return self.cleaned_data["number"].strip().upper()


class BookingForm(PortalForm):
    name = forms.CharField(
        label="您的称呼", max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    purpose = forms.CharField(
        label="要办理的事项", max_length=200, help_text="例如：开饭店、办理残疾人证"
    )


class HomeVisitForm(PortalForm):
    name = forms.CharField(
        label="您的称呼", max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    priority = forms.MultipleChoiceField(
        label="申请人情况",
        widget=forms.CheckboxSelectMultiple,
        choices=list(PRIORITY_GROUPS.items()),
        help_text="上门服务面向行动不便的老年人、残疾人、孕妇等特殊群体；"
        "其他确有需要的，请致电服务点，由工作人员登记上门原因",
    )
    site = forms.ChoiceField(label="由哪个服务点上门", help_text="选您所在的村（社区）或镇（街道）")
    address = forms.CharField(
        label="上门地址",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    needs = forms.CharField(
        label="需要办理的事情", max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    preferred_times = forms.CharField(
        label="您方便的时间", max_length=200, help_text="例如：工作日上午，或周三下午"
    )

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [("", "请选择")] + [(s.code, s.name) for s in sites]


class EvaluationForm(PortalForm):
    level = forms.ChoiceField(
        label="您对这次服务满意吗",
        widget=forms.RadioSelect,
        choices=[(level, level) for level in EVALUATION_LEVELS],
    )
    comment = forms.CharField(
        label="想说的话（可不填）",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="选择“不满意”时请告诉我们原因，我们会回访并整改",
    )


class ComplaintForm(PortalForm):
    number = forms.CharField(
        label="投诉的办件编号（可不填）",
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    site = forms.ChoiceField(label="投诉的服务点（可不填）", required=False)
    name = forms.CharField(
        label="您的称呼", max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    phone = forms.CharField(
        label="联系电话",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text="用于告知处理结果，并凭它查询投诉处理情况",
    )
    content = forms.CharField(
        label="投诉内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [("", "不涉及具体服务点")] + [(s.code, s.name) for s in sites]


class ComplaintTrackForm(PortalForm):
    number = forms.CharField(
        label="投诉编号", max_length=40, widget=forms.TextInput(attrs={"spellcheck": "false"})
    )
    phone = forms.CharField(
        label="投诉时留的联系电话",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
