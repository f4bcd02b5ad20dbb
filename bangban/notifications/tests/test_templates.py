"""Templates: seeded in Chinese, editable by administrators, checked before saving."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from bangban.notifications import catalog, rendering
from bangban.notifications.models import MessageTemplate

from .helpers import template_row

pytestmark = pytest.mark.django_db


def test_the_data_migration_seeds_every_kind_and_keeps_what_administrators_changed():
    seed = importlib.import_module("bangban.notifications.migrations.0002_seed_templates").seed
    MessageTemplate.objects.all().delete()
    MessageTemplate.objects.create(key="client.received", subject="改过", body="{{ title }}")
    seed(django_apps, None)
    rows = {t.key: t for t in MessageTemplate.objects.all()}
    assert set(rows) == set(catalog.DEFAULTS)
    assert (rows["client.received"].subject, rows["client.received"].body) == (
        "改过",
        "{{ title }}",
    )
    for key, spec in catalog.DEFAULTS.items():
        if key != "client.received":
            assert (rows[key].subject, rows[key].body) == (spec.subject, spec.body)
        rows[key].full_clean()  # every text passes its own check


def test_every_default_is_in_chinese_and_every_client_sms_is_signed():
    for spec in catalog.DEFAULTS.values():
        assert any("\u4e00" <= ch <= "\u9fff" for ch in spec.body), spec.key
        if spec.audience == catalog.CLIENT:
            assert spec.body.startswith(catalog.SIGN), spec.key


def test_a_template_may_use_its_variables_if_and_for():
    rendering.validate(
        "{{ client_name }}{% if needed %}：{% for n in needed %}{{ forloop.counter }}{{ n }}"
        "{% endfor %}{% endif %}{{ needed|join:'、' }}",
        {"client_name": "", "needed": ""},
    )


@pytest.mark.parametrize(
    "text, complaint",
    [
        ("{{ password }}", "变量“password”不可用"),
        ("{{ case.client.mobile_cipher }}", "变量“case.client.mobile_cipher”不可用"),
        ("{% if secret %}x{% endif %}", "变量“secret”不可用"),
        ("{% load static %}", "模板语法错误"),
        ("{% include 'base.html' %}", "不能使用“include 'base.html'”"),
        ("{% url 'login' %}", "不能使用“url 'login'”"),
        ("{{ client_name|safe }}", "过滤器“safe”不可用"),
        ("{{ client_name|default:secret }}", "变量“secret”不可用"),
        ("{% if client_name %}", "模板语法错误"),
    ],
)
def test_anything_else_is_refused_with_the_variables_listed(text, complaint):
    with pytest.raises(ValidationError) as refused:
        rendering.validate(text, {"client_name": "服务对象"})
    message = refused.value.messages[0]
    assert complaint in message
    if "模板语法错误" not in complaint:
        assert message.endswith("可用的变量：client_name")


def test_saving_an_invalid_template_is_refused_even_outside_the_admin():
    template = template_row("client.accepted")
    template.body = "{{ id_number }}"
    with pytest.raises(ValidationError) as refused:
        template.save()
    assert "变量“id_number”不可用" in refused.value.message_dict["body"][0]


def test_the_admin_lists_the_variables_and_refuses_an_unknown_one(client):
    admin = get_user_model().objects.create_superuser("root", "root@example.cn", "pw-root")
    client.force_login(admin)
    template = template_row("client.suspended")
    url = f"/admin/notifications/messagetemplate/{template.pk}/change/"
    page = client.get(url).content.decode()
    assert "resumption_due_on" in page and "续办期限" in page and "中止代办时" in page
    answer = client.post(
        url, {"subject": "中止", "body": "{{ client_name }}{{ mobile }}", "is_active": "on"}
    )
    assert answer.status_code == 200
    assert "变量“mobile”不可用" in answer.content.decode()
    answer = client.post(
        url,
        {
            "subject": "中止",
            "body": "【帮办代办】{{ client_name }}，续办期限{{ resumption_due_on }}。",
            "is_active": "on",
        },
    )
    assert answer.status_code == 302
    template.refresh_from_db()
    assert template.body == "【帮办代办】{{ client_name }}，续办期限{{ resumption_due_on }}。"


def test_rendering_never_escapes_chinese_punctuation_or_quotes():
    text = rendering.render("“{{ title }}”&{{ note }}", {"title": "A&B", "note": "<x>"})
    assert text == "“A&B”&<x>"
