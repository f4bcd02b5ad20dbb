"""Demo catalogue: 53 real-world items of a county, three bundles, one item with history.

The data is in the catalogue's own Excel format (``bangban catalogue_export`` /
``catalogue_import``) and loads through the same import an administrator runs, after the
network demo (the items name its departments and sites):

1. ``demo-before-2023.xlsx``: the food licence (SCJG-005) under the rules before
   《食品经营许可和备案管理办法》 (2023);
2. ``demo.xlsx``: the current catalogue. Its food licence replaces that guide (version 2;
   version 1 is retired, as after a real update), one item (WJ-003) stays an unpublished
   draft (直接发布 否), and the 一件事 sheets publish the three bundles.
"""

from pathlib import Path

from bangban.network.models import Site

from .excel import import_workbook
from .models import Bundle, ServiceItem

HERE = Path(__file__).parent
FILES = [HERE / "demo-before-2023.xlsx", HERE / "demo.xlsx"]


def load(county: Site | None = None) -> dict[str, int]:
    """Import the demo catalogue; return counts for the loader's summary. ``county`` is
    accepted for the loaders' common signature: the files name their own sites."""
    for path in FILES:
        import_workbook(path)
    return {"items": ServiceItem.objects.count(), "bundles": Bundle.objects.count()}
