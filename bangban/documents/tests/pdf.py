"""Reading the PDFs back: text, fonts and images, as a person or a printer would see them."""

import re
import shutil
import subprocess

import pypdf


def reader(document) -> pypdf.PdfReader:
    return pypdf.PdfReader(document.file.path)


def text(document) -> str:
    """All text of the PDF with whitespace removed (line breaks fall anywhere in Chinese)."""
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader(document).pages))


def squeeze(value: str) -> str:
    return re.sub(r"\s+", "", value)


def fonts(document) -> list[dict]:
    """Each font of each page with whether its glyphs are embedded (FontFile/2/3)."""
    found = []
    for page in reader(document).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target["/FontDescriptor"].get_object()
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            found.append({"name": str(font["/BaseFont"]), "embedded": embedded})
    return found


def pdffonts(document) -> list[tuple[str, str]] | None:
    """(font name, emb column) as poppler's pdffonts reports them; None without poppler."""
    if shutil.which("pdffonts") is None:
        return None
    out = subprocess.run(
        ["pdffonts", document.file.path], capture_output=True, text=True, check=True
    ).stdout
    rows = out.splitlines()[2:]
    return [(row.split()[0], row.split()[-5]) for row in rows if row.strip()]


def image_count(document) -> int:
    return sum(len(page.images) for page in reader(document).pages)
