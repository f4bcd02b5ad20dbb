"""Demo service network: one county centre, three towns, two villages each, the departments.

The data is ``demo.xlsx`` beside this module, in the format of ``bangban roster_import``
(sheets 服务机构 and 审批部门), and loads through the same import an administrator runs.
"""

from pathlib import Path

from .excel import import_network
from .models import Site

DATA = Path(__file__).with_name("demo.xlsx")
COUNTY = "C01"


def load() -> Site:
    """Import the demo network; return its county centre."""
    import_network(DATA)
    return Site.objects.get(code=COUNTY)
