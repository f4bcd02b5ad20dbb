"""The archive package holds every document, material and signature, with an index."""

import hashlib
import io
import zipfile

import pytest
from django.core.files.base import ContentFile

from bangban.cases.access import Actor
from bangban.cases.models import CaseMaterial
from bangban.cases.tests.helpers import SIGNED, act
from bangban.documents.archive import archive_package
from bangban.documents.kinds import Kind
from bangban.documents.models import CaseDocument
from bangban.documents.services import document_correct

from .cases import issued
from .test_confirmations import sign

pytestmark = pytest.mark.django_db


def test_the_package_has_every_document_material_signature_and_an_index(world):
    case, _ = issued(world, Kind.RESUMPTION_ENTRUSTMENT, render=False)
    sign(case, world, "completion_slip")
    act(case, world.agent_a, "terminate", reason_code="force_majeure")
    suspension = CaseDocument.objects.get(case=case, kind=Kind.SUSPENSION_SLIP)
    document_correct(document=suspension, actor=Actor.of_staff(world.agent_a), reason="日期有误")
    material = CaseMaterial.objects.filter(case=case).first()
    material.file.save("licence.pdf", ContentFile(b"%PDF-1.4 scanned licence"), save=True)

    package, filename = archive_package(case)
    assert filename == f"{case.number}-归档.zip"
    with zipfile.ZipFile(io.BytesIO(package.read())) as z:
        names = z.namelist()
        documents = list(CaseDocument.objects.filter(case=case))
        assert len(documents) == 5  # 受理单, 中止单 v1 and v2, 续办委托书, 终止单
        for document in documents:
            [path] = [n for n in names if n.startswith(f"文书/{document.number}_")]
            data = z.read(path)
            document.refresh_from_db()
            assert hashlib.sha256(data).hexdigest() == document.sha256
        assert any(n.startswith("材料/") and n.endswith(".pdf") for n in names)
        assert any(n.startswith("签字确认/") and n.endswith(".png") for n in names)
        index = z.read("index.html").decode()
        for document in documents:
            assert document.number in index and document.sha256 in index
            assert document.label in index
        assert "已被更正" in index and "日期有误" in index  # the correction note on the timeline
        sums = z.read("SHA256SUMS").decode().splitlines()
        assert len(sums) == len(names) - 2
        for line in sums:
            digest, path = line.split("  ", 1)
            assert hashlib.sha256(z.read(path)).hexdigest() == digest


def test_a_tampered_file_is_flagged_in_the_index(world):
    case, document = issued(world, Kind.REFUSAL_NOTICE)
    with open(document.file.path, "ab") as handle:
        handle.write(b"tampered")
    package, _ = archive_package(case)
    with zipfile.ZipFile(io.BytesIO(package.read())) as z:
        assert "校验不符" in z.read("index.html").decode()


def test_signed_paper_confirmation_is_listed(world):
    case, _ = issued(world, Kind.ACCEPTANCE_SLIP)
    package, _ = archive_package(case)
    with zipfile.ZipFile(io.BytesIO(package.read())) as z:
        index = z.read("index.html").decode()
    assert "纸质签字" in index and SIGNED["signer"] in index


def test_the_package_holds_the_plain_bytes_of_encrypted_materials_and_signatures(world):
    from bangban.cases.uploads import FILE_CONTEXT
    from bangban.clients import sealedfiles

    case, _ = issued(world, Kind.RESUMPTION_ENTRUSTMENT, render=False)
    confirmation = sign(case, world, "completion_slip")
    confirmation.refresh_from_db()
    assert confirmation.signature.name.endswith(".png.enc")
    material = CaseMaterial.objects.filter(case=case).order_by("id").first()
    scan = b"%PDF-1.4\n% licence\n%%EOF\n"
    # as an upload before acceptance stored it: encrypted (cases.uploads.material_upload)
    material.file.save("licence.pdf.enc", sealedfiles.sealed(scan, FILE_CONTEXT), save=True)

    package, _ = archive_package(case)
    with zipfile.ZipFile(io.BytesIO(package.read())) as z:
        [material_path] = [n for n in z.namelist() if n.startswith(f"材料/{material.pk:05d}_")]
        assert material_path.endswith(".pdf") and z.read(material_path) == scan
        [signature_path] = [n for n in z.namelist() if n.startswith("签字确认/")]
        png = z.read(signature_path)
        assert png.startswith(b"\x89PNG")
        assert hashlib.sha256(png).hexdigest() == confirmation.signature_sha256
        assert "校验不符" not in z.read("index.html").decode()
