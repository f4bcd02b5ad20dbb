"""A client's material file (``cases.uploads``): the type is read from the content, big and
crafted files are refused, names never reach the disk, a refused file leaves nothing
behind, and each stored file is logged. The portal's page on top: ``portal/tests``."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bangban.cases import uploads
from bangban.cases.models import MaterialStatus, MaterialUpload

from .helpers import act, open_case, review_all

pytestmark = pytest.mark.django_db
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def pdf_bytes(extra: bytes = b"") -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\n" + extra + b"\ntrailer<<>>\n%%EOF\n"


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def case(world):
    return open_case(world)


@pytest.fixture
def material(case):
    return case.materials.order_by("id").first()


def upload(material, name, data):
    return uploads.material_upload(material=material, upload=SimpleUploadedFile(name, data))


def refused(material, name, data) -> str:
    with pytest.raises(uploads.UploadRefused) as refusal:
        upload(material, name, data)
    material.refresh_from_db()
    assert not material.file and not MaterialUpload.objects.exists()
    return refusal.value.message


def test_a_pdf_is_stored_under_a_name_of_our_making_and_logged(case, material, media):
    data = pdf_bytes()
    logged = upload(material, "我的 营业执照(1).PDF", data)
    material.refresh_from_db()
    name = material.file.name
    assert name.startswith("materials/") and name.endswith(".pdf.enc")
    assert case.number in name and "营业执照" not in name
    assert (logged.material, logged.stored_name, logged.kind) == (material, name, "PDF")
    assert logged.size == len(data) and len(logged.sha256) == 64
    assert len(stored_files(media)) == 1 and uploads.material_file_bytes(material) == data
    assert uploads.material_file_name(material).endswith(".pdf")


def test_a_material_file_is_encrypted_at_rest(material, media):
    data = pdf_bytes(b"\xe5\xbc\xa0\xe4\xb8\x89 110101199001011234")
    upload(material, "id.pdf", data)
    material.refresh_from_db()
    [stored] = stored_files(media)
    raw = stored.read_bytes()
    assert raw != data and b"%PDF" not in raw and b"110101199001011234" not in raw
    assert uploads.material_file_bytes(material) == data


def test_a_material_file_stored_before_encryption_is_read_as_it_is(material, media):
    from django.core.files.base import ContentFile

    data = pdf_bytes()
    material.file.save("old-plain.pdf", ContentFile(data))
    assert uploads.material_file_bytes(material) == data
    assert uploads.material_file_name(material) == "old-plain.pdf"


def test_a_photo_named_pdf_is_stored_as_the_png_it_is(material, media):
    assert upload(material, "scan.pdf", png_bytes()).kind == "PNG"
    material.refresh_from_db()
    assert material.file.name.endswith(".png.enc")


def test_a_renamed_executable_is_refused_and_nothing_is_stored(material, media):
    message = refused(material, "营业执照.pdf", EXECUTABLE)
    assert "Windows 可执行程序" in message and "修改文件名无效" in message
    assert stored_files(media) == []


def test_an_oversized_file_is_refused_and_nothing_is_stored(material, media):
    message = refused(material, "big.pdf", pdf_bytes(b"0" * (uploads.MAX_BYTES + 10)))
    assert "文件过大" in message and "10MB" in message
    assert stored_files(media) == []


@pytest.mark.parametrize(
    "name", ["../../etc/passwd.pdf", "..\\..\\boot.ini", "a/b.pdf", "x\x00.pdf", "%2e%2e%2fa.pdf"]
)
def test_names_that_climb_out_are_refused(name):
    assert uploads.name_problem(name)


def test_an_encoded_path_is_refused_and_nothing_is_stored(material, media):
    assert "文件名不合法" in refused(material, "..%2F..%2Fsettings.pdf", pdf_bytes())
    assert stored_files(media) == []


def test_text_pretending_to_be_a_photo_is_refused(material, media):
    assert "无法识别该文件的内容" in refused(material, "photo.jpg", b"hello, I am not a photo")
    assert stored_files(media) == []


def test_a_broken_image_is_refused(material, media):
    assert "图片文件已损坏" in refused(material, "photo.png", png_bytes()[:30])
    assert stored_files(media) == []


def test_a_pdf_without_its_end_is_refused(material, media):
    assert "PDF 文件不完整" in refused(material, "cut.pdf", pdf_bytes()[:-8])


def test_a_received_material_takes_no_file(world, case, material, media):
    act(case, world.agent_a, "start_review")
    review_all(case, world.agent_a)
    material.refresh_from_db()
    assert material.status == MaterialStatus.RECEIVED and not uploads.may_upload(material)
    assert "已收取" in refused(material, "again.pdf", pdf_bytes())
    assert stored_files(media) == []


def test_a_closed_case_takes_no_file(world, case, material, media):
    act(case, world.agent_a, "start_review")
    act(case, world.agent_a, "refuse", reason="申请事项不属于帮办代办范围")
    material.refresh_from_db()
    assert material.status != MaterialStatus.RECEIVED and not uploads.may_upload(material)
    refused(material, "late.pdf", pdf_bytes())


def test_the_latest_upload_of_each_material_and_what_was_brought_since(case, media):
    first, second = case.materials.order_by("id")[:2]
    old = upload(first, "a.pdf", pdf_bytes())
    since = old.uploaded_at
    newer = upload(first, "b.pdf", pdf_bytes(b"2"))
    assert uploads.latest_uploads(case) == {first.pk: newer}
    MaterialUpload.objects.filter(pk__in=[old.pk, newer.pk]).update(uploaded_at=since)
    later = upload(second, "c.png", png_bytes())
    assert uploads.brought_since(case, later.uploaded_at) == {second.pk}
    assert uploads.brought_since(case, since) == {first.pk, second.pk}
