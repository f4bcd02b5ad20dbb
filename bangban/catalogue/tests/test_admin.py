"""The catalogue admin: drafts are edited, published versions are read-only, actions use services."""

from django.urls import reverse

from bangban.catalogue.models import ItemVersion, VersionStatus

from . import factories


def test_admin_lists_open(admin_client, dept):
    factories.published_item("SCJG-005", dept=dept)
    for name in ["serviceitem", "itemversion", "itemcategory", "bundle", "bundleversion"]:
        assert admin_client.get(reverse(f"admin:catalogue_{name}_changelist")).status_code == 200, (
            name
        )


def test_a_published_version_is_read_only_in_admin(admin_client, dept):
    item = factories.published_item("SCJG-005", dept=dept)
    url = reverse("admin:catalogue_itemversion_change", args=[item.current_version_id])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert b'name="promised_limit_days"' not in response.content
    admin_client.post(url, {"promised_limit_days": 1})
    item.current_version.refresh_from_db()
    assert item.current_version.promised_limit_days == 5


def test_a_draft_is_editable_and_published_by_the_admin_action(admin_client, dept):
    item = factories.published_item("SCJG-005", dept=dept)
    admin_client.post(
        reverse("admin:catalogue_serviceitem_changelist"),
        {"action": "make_draft", "_selected_action": [item.pk]},
    )
    draft = ItemVersion.objects.get(item=item, status=VersionStatus.DRAFT)
    response = admin_client.get(reverse("admin:catalogue_itemversion_change", args=[draft.pk]))
    assert b'name="promised_limit_days"' in response.content
    admin_client.post(
        reverse("admin:catalogue_itemversion_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    item.refresh_from_db()
    assert item.current_version == draft
    assert ItemVersion.objects.get(item=item, number=1).status == VersionStatus.RETIRED


def _entries_form(version, depends):
    """POST data for the bundle version page; ``depends`` maps entry → its prerequisites."""
    entries = list(version.entries.order_by("position"))
    data = {
        "entries-TOTAL_FORMS": len(entries),
        "entries-INITIAL_FORMS": len(entries),
        "entries-MIN_NUM_FORMS": 0,
        "entries-MAX_NUM_FORMS": 1000,
    }
    for i, entry in enumerate(entries):
        data[f"entries-{i}-id"] = entry.pk
        data[f"entries-{i}-bundle_version"] = version.pk
        data[f"entries-{i}-position"] = entry.position
        data[f"entries-{i}-item"] = entry.item_id
        data[f"entries-{i}-depends_on"] = [d.pk for d in depends.get(entry, [])]
    return data


def test_the_bundle_admin_refuses_a_dependency_cycle(admin_client, dept):
    from bangban.catalogue import services
    from bangban.catalogue.models import Bundle

    a = factories.published_item("A", "个体工商户设立登记", dept=dept)
    b = factories.published_item("B", "食品经营许可", dept=dept)
    version = services.bundle_version_draft(
        bundle=Bundle.objects.create(code="KYFD", name="开饭店一件事")
    )
    first = services.bundle_entry_add(version=version, item=a)
    second = services.bundle_entry_add(version=version, item=b, depends_on=[first])
    url = reverse("admin:catalogue_bundleversion_change", args=[version.pk])

    response = admin_client.post(url, _entries_form(version, {first: [second], second: [first]}))
    assert response.status_code == 200
    assert "前置事项形成循环" in response.content.decode()
    assert list(first.depends_on.all()) == []

    response = admin_client.post(url, _entries_form(version, {first: [second]}))
    assert response.status_code == 302
    assert list(first.depends_on.all()) == [second] and list(second.depends_on.all()) == []
