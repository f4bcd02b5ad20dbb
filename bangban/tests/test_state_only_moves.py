"""Delivery choices and material uploads moved from the portal to the case core in the
migration state only (cases 0011, portal 0003): a database migrated before the move keeps
its rows, which the core's models then read, and its content types, so the admin's
permissions follow the models."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from bangban.cases.models import DeliveryChoice, MaterialUpload
from bangban.cases.tests.helpers import open_case

BEFORE = [("cases", "0010_audit_seal_and_checkpoints"), ("portal", "0002_visits_take_the_bookings")]


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


def labels(types) -> dict[str, str]:
    """model → app label of these content types, as the database holds them now."""
    rows = ContentType.objects.filter(pk__in=[t.pk for t in types.values()])
    return {t.model: t.app_label for t in rows}


@pytest.mark.django_db(transaction=True)
def test_rows_and_content_types_written_before_the_move_are_the_core_s_after_it(world):
    case = open_case(world)
    material = case.materials.order_by("id").first()
    types = {m: ContentType.objects.get_for_model(m) for m in (DeliveryChoice, MaterialUpload)}
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()

    old = migrate(BEFORE).loader.project_state(BEFORE).apps
    assert labels(types) == {"deliverychoice": "portal", "materialupload": "portal"}
    old.get_model("portal", "DeliveryChoice").objects.create(
        case_id=case.pk, method="post", address_cipher="token", address_masked="示范县****"
    )
    old.get_model("portal", "MaterialUpload").objects.create(
        material_id=material.pk, stored_name="materials/x.pdf", kind="PDF", size=3, sha256="0" * 64
    )

    migrate(leaves)
    ContentType.objects.clear_cache()
    choice = DeliveryChoice.objects.get()
    assert (choice.case, choice.method, choice.address_masked) == (case, "post", "示范县****")
    assert [(u.material, u.stored_name) for u in MaterialUpload.objects.all()] == [
        (material, "materials/x.pdf")
    ]
    assert labels(types) == {"deliverychoice": "cases", "materialupload": "cases"}
    assert {m: ContentType.objects.get_for_model(m) for m in types} == types  # the same rows
