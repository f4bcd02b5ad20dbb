"""Jobs of the documents area (huey): the PDF of a document issued in a transaction."""

from huey.contrib.djhuey import db_task

from .models import CaseDocument
from .pdf import document_render


@db_task()
def render_document(pk: int) -> str:
    """Render the PDF of one issued document (after its transaction has committed)."""
    document = CaseDocument.objects.select_related("case__site").get(pk=pk)
    return document_render(document).sha256
