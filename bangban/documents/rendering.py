"""Forms to PDF: Django templates filled from a document's snapshot, drawn by WeasyPrint.

Speed (measured in docs/forms.md): each thread keeps one ``FontConfiguration`` with the
``@font-face`` registered once, and the form stylesheet parsed once per file version; the
forms use fixed table layout and one font weight (a synthetic bold is a second embedded
subset). What remains is WeasyPrint's layout and PDF writing.

Fonts are embedded: the stylesheet names the font *file* in ``@font-face`` (WenQuanYi Zen
Hei from Debian's fonts-wqy-zenhei, or BANGBAN_FORMS_FONT), and WeasyPrint embeds the
subset it uses. A PDF never relies on the reader's fonts.

Templates: a centre overrides any form without code by placing a file with the same name
in ``<BANGBAN_FORMS_DIR>/<site code>/documents/`` (that site and the sites below it) or
``<BANGBAN_FORMS_DIR>/documents/`` (everyone); BANGBAN_FORMS_DIR defaults to
``<data dir>/forms``. Files are read at every render: no restart needed.

WeasyPrint (with fontTools, pydyf, tinycss2: about 40 MB per process) is imported at the
first render, not with this module: the web workers import it (through documents' signal
subscribers) but render only on an on-demand print; the job worker renders the forms.
``bangban/tests/test_web_memory.py`` holds that importing the web application does not
import it (docs/operations.md §9.2).
"""

from __future__ import annotations

import atexit
import threading
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from urllib.request import url2pathname

import segno
from django.conf import settings
from django.template import Context, Engine

from .signatures import signature_uri

if TYPE_CHECKING:
    from weasyprint import CSS
    from weasyprint.urls import URLFetcher

BUILTIN_DIR = Path(__file__).resolve().parent / "templates"
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)
FONT_FAMILY = "BangbanForm"
FORM_CSS = "documents/_form.css"


class FontMissing(RuntimeError):
    pass


def forms_dir() -> Path:
    return Path(settings.FORMS_DIR)


@cache
def font_path() -> Path:
    for candidate in (settings.FORMS_FONT, *FONT_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise FontMissing(
        "找不到中文字体：请安装 fonts-wqy-zenhei（bash scripts/system-deps）"
        "或以 BANGBAN_FORMS_FONT 指定字体文件"
    )


BASE_CSS = """
@font-face { font-family: "%(family)s"; src: url("%(font)s"); }
@page {
  size: A4; margin: 15mm 18mm 18mm;
  @bottom-left { content: element(pagefooter); width: 78%%; vertical-align: top; }
  @bottom-right { content: "第 " counter(page) " 页 / 共 " counter(pages) " 页";
                  font: 8.5pt "%(family)s"; color: #333; vertical-align: top; }
}
html { font-family: "%(family)s"; font-size: 11pt; line-height: 1.55; color: #000; }
"""


class _Renderer:
    """One per thread: WeasyPrint's font objects are not shared between threads."""

    def __init__(self):
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        self.font_config = FontConfiguration()
        font = font_path().as_uri()
        self.base_css = CSS(
            string=BASE_CSS % {"family": FONT_FAMILY, "font": font}, font_config=self.font_config
        )
        self.form_css: dict[tuple[str, float], CSS] = {}

    def stylesheet(self, engine: Engine) -> CSS:
        """``documents/_form.css`` as the forms directory or the app provides it, parsed
        once per file version (parsing it at every render costs about a tenth of it)."""
        origin = engine.get_template(FORM_CSS).origin.name
        key = (origin, Path(origin).stat().st_mtime)
        css = self.form_css.get(key)
        if css is None:
            from weasyprint import CSS

            css = CSS(filename=origin, font_config=self.font_config)
            self.form_css = {k: v for k, v in self.form_css.items() if k[0] != origin}
            self.form_css[key] = css
        return css


_local = threading.local()


def _renderer() -> _Renderer:
    renderer = getattr(_local, "renderer", None)
    if renderer is None:
        renderer = _local.renderer = _Renderer()
    return renderer


@atexit.register
def _drop_renderer() -> None:
    """Drop this thread's renderer while WeasyPrint still stands: imported after this module,
    its modules are torn down first at exit, and its font folder would be left behind."""
    _local.__dict__.pop("renderer", None)


@cache
def _local_fetcher_class() -> type[URLFetcher]:
    """``_LocalFetcher``, defined at the first render (its base class is WeasyPrint's)."""
    from weasyprint.urls import URLFetcher

    class _LocalFetcher(URLFetcher):
        """Only the media directory, the font and inline data: a form never fetches the web."""

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith("file:"):
                path = Path(url2pathname(urlsplit(url).path)).resolve()
                roots = (Path(settings.MEDIA_ROOT).resolve(), font_path().resolve().parent)
                if any(path.is_relative_to(root) for root in roots):
                    return super().fetch(url, headers)
            raise ValueError(f"文书模板不得引用外部资源：{url}")

    return _LocalFetcher


def _engine(site_codes: tuple[str, ...]) -> Engine:
    root = forms_dir()
    dirs = [root / code for code in site_codes] + [root, BUILTIN_DIR]
    return _engine_for(tuple(str(d) for d in dirs))


@cache
def _engine_for(dirs: tuple[str, ...]) -> Engine:
    # The plain filesystem loader (not the cached one): a template a centre drops in is
    # used at the next render.
    return Engine(
        dirs=list(dirs),
        loaders=["django.template.loaders.filesystem.Loader"],
        autoescape=True,
        builtins=["django.templatetags.static"],
    )


@lru_cache(maxsize=512)
def qr_svg(url: str) -> str:
    """The QR code as inline SVG (vector: sharp at any printer resolution)."""
    return segno.make(url, error="m").svg_inline(scale=2.2, border=0, omitsize=False)


def media_uri(name: str) -> str:
    if not name:
        return ""
    path = Path(settings.MEDIA_ROOT) / name
    return path.as_uri() if path.is_file() else ""


def render_html(fields: dict, template: str, site_codes: tuple[str, ...] = ()) -> str:
    """The filled-in form as HTML (the form stylesheet is applied by ``render_pdf``)."""
    confirmation = fields.get("confirmation") or {}
    context = {
        **fields,
        "qr_svg": qr_svg(fields["track_url"]),
        "logo_uri": media_uri(fields["letterhead"].get("logo", "")),
        "signature_uri": signature_uri(confirmation.get("signature", "")),
    }
    return _engine(site_codes).get_template(template).render(Context(context))


def render_pdf(fields: dict, template: str, site_codes: tuple[str, ...] = ()) -> bytes:
    from weasyprint import HTML

    renderer = _renderer()
    html = render_html(fields, template, site_codes)
    document = HTML(string=html, base_url=str(BUILTIN_DIR), url_fetcher=_local_fetcher_class()())
    return document.write_pdf(
        stylesheets=[renderer.base_css, renderer.stylesheet(_engine(site_codes))],
        font_config=renderer.font_config,
        pdf_identifier=fields["number"].encode(),
        custom_metadata=False,
    )
