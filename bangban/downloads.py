"""Handing out stored files: only through views that first check who may have them.

Uploaded materials, signatures and printed forms carry personal data, so nothing under
``MEDIA_ROOT`` is served at a public address (there is no ``/media/`` route, and nginx must
not add one). Each download is a view that loads what the file belongs to through the
access rules (``cases.access.get_case_for`` for a case's files: 404 for what a person may
not see) and then answers with ``private_file``.

``ServedFileWidget`` is the admin's file widget with the current file linked to such a
view instead of to its (unserved) media address.
"""

from __future__ import annotations

import mimetypes

from django.contrib.admin.widgets import AdminFileWidget
from django.http import FileResponse, Http404

# Shown in the browser; anything else (an HTML page or an SVG could carry script) is only
# downloaded.
INLINE_TYPES = {"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"}


def open_or_404(field_file):
    """The stored file opened for reading; 404 if it is gone from the disk."""
    try:
        return field_file.open("rb")
    except FileNotFoundError:
        raise Http404("文件不存在") from None


def private_file(
    file,
    *,
    filename: str,
    content_type: str | None = None,
    as_attachment: bool | None = None,
) -> FileResponse:
    """A file for someone already allowed to have it; never kept by a browser or proxy cache.

    ``file`` is an open file (``field_file.open("rb")``) or a file-like object. The type is
    the one given or guessed from ``filename``; ``as_attachment=None`` shows PDFs and plain
    images in the browser and downloads everything else.
    """
    content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    if as_attachment is None:
        as_attachment = content_type not in INLINE_TYPES
    response = FileResponse(
        file, content_type=content_type, as_attachment=as_attachment, filename=filename
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class _Linked:
    """A stored file as the file widget shows it: its name, linked to ``url``."""

    def __init__(self, value, url: str):
        self.value = value
        self.url = url

    def __str__(self) -> str:
        return str(self.value)


class ServedFileWidget(AdminFileWidget):
    """The admin's file input, its "currently" link pointing at the checked view.

    ``url_for(instance, field_name)`` returns that view's address for a saved file.
    """

    def __init__(self, url_for, attrs=None):
        super().__init__(attrs)
        self.url_for = url_for

    def format_value(self, value):
        if self.is_initial(value) and getattr(value, "instance", None) is not None:
            return _Linked(value, self.url_for(value.instance, value.field.name))
        return super().format_value(value)
