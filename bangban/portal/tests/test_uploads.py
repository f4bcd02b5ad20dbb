"""The upload page: it hands the file to the case core (``cases.uploads``, whose rules are
tested in ``cases/tests/test_uploads.py``), shows a refusal in words, and only for one's own
case."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bangban.cases import uploads
from bangban.cases.access import Actor
from bangban.cases.models import MaterialUpload
from bangban.cases.services import case_submit

from .conftest import pdf_bytes, sign_in, stored_files

pytestmark = pytest.mark.django_db
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


@pytest.fixture
def case(world):
    return case_submit(
        actor=Actor.of_client(world.citizen),
        client=world.citizen,
        service_type="proxy",
        channel="online",
        site=world.village_a,
        item_versions=[world.food.current_version],
    )


@pytest.fixture
def material(case):
    return case.materials.order_by("id").first()


@pytest.fixture
def signed(client, world):
    sign_in(client, "13812345678")
    return client


def post(client, case, material, name, data):
    return client.post(
        f"/my/cases/{case.number}/materials/{material.pk}/",
        {"file": SimpleUploadedFile(name, data)},
    )


def test_a_pdf_is_stored_under_a_name_of_our_making(signed, case, material, media):
    response = post(signed, case, material, "我的 营业执照(1).PDF", pdf_bytes())
    assert response.status_code == 302
    material.refresh_from_db()
    name = material.file.name
    assert name.startswith("materials/") and name.endswith(".pdf.enc")  # encrypted at rest
    assert case.number in name and "营业执照" not in name
    upload = MaterialUpload.objects.get()
    assert upload.kind == "PDF" and len(upload.sha256) == 64
    assert len(stored_files(media)) == 1


def test_a_renamed_executable_is_refused_and_nothing_is_stored(signed, case, material, media):
    response = post(signed, case, material, "营业执照.pdf", EXECUTABLE)
    text = response.content.decode()
    assert response.status_code == 200
    assert "Windows 可执行程序" in text and "修改文件名无效" in text
    assert 'role="alert"' in text
    material.refresh_from_db()
    assert not material.file and not MaterialUpload.objects.exists()
    assert stored_files(media) == []


def test_an_oversized_file_is_refused_and_nothing_is_stored(signed, case, material, media):
    big = pdf_bytes(b"0" * (uploads.MAX_BYTES + 10))
    response = post(signed, case, material, "big.pdf", big)
    assert "文件过大" in response.content.decode() and "10MB" in response.content.decode()
    material.refresh_from_db()
    assert not material.file and stored_files(media) == []


def test_a_path_traversal_name_is_refused_and_nothing_is_stored(signed, case, material, media):
    # Django strips real slashes from upload names; an encoded one gets through to us.
    response = post(signed, case, material, "..%2F..%2Fsettings.pdf", pdf_bytes())
    assert "文件名不合法" in response.content.decode()
    material.refresh_from_db()
    assert not material.file and stored_files(media) == []


def test_someone_else_cannot_upload_to_the_case(client, world, case, material, media):
    sign_in(client, "13900001111")  # 李四
    response = post(client, case, material, "x.pdf", pdf_bytes())
    assert response.status_code == 404
    assert stored_files(media) == []
