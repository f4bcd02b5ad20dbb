"""The vault's world: two items of two departments whose checklists share two kinds."""

import io
from types import SimpleNamespace

import pytest

from bangban.catalogue.models import Material, MaterialKind
from bangban.testing import _item


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def kinds(db):
    return SimpleNamespace(
        id_card=MaterialKind.objects.get(code="resident_id"),
        licence=MaterialKind.objects.get(code="business_licence"),
    )


def _with_kinds(item, by_name: dict) -> None:
    for name, kind in by_name.items():  # a published checklist is frozen: set directly
        Material.objects.filter(version=item.current_version, name=name).update(kind=kind)


@pytest.fixture
def vault_items(world, kinds):
    """Item 1 (market regulation) and item 2 (housing) both need an ID card and a business
    licence, under their own names; each also needs a form of its own."""
    first = _item(
        "SCJG-101",
        "个体工商户变更登记",
        world.market,
        world.food.category,
        5,
        [("经营者身份证", True, False), ("营业执照副本", True, False), ("变更申请书", True, False)],
    )
    second = _item(
        "ZJ-101",
        "门头招牌设置备案",
        world.housing,
        world.food.category,
        5,
        [("申请人居民身份证", True, False), ("营业执照", True, False), ("招牌效果图", True, False)],
    )
    _with_kinds(first, {"经营者身份证": kinds.id_card, "营业执照副本": kinds.licence})
    _with_kinds(second, {"申请人居民身份证": kinds.id_card, "营业执照": kinds.licence})
    return SimpleNamespace(first=first, second=second)
