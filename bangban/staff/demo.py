"""Demo staff: every role at every level, with the demo logins printed by `make run`.

The roster is ``demo.xlsx`` beside this module, in the format of ``bangban roster_import``
(sheet 工作人员), and loads through the same import an administrator runs. The import sets
no password and grants no access to the admin site, so the demo then gives every account
it created the one demo password and makes ``admin`` a superuser.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from bangban.network.models import Site

from .excel import import_staff

DEMO_PASSWORD = "bangban2026"
DATA = Path(__file__).with_name("demo.xlsx")
# The logins `make run` prints, with what each is for.
LOGINS = [
    ("admin", "系统管理员（管理后台）"),
    ("coordinator", "协调员（全县）"),
    ("supervisor", "监督人员（只读）"),
    ("agent_c01_1", "帮办代办员（示范县政务服务中心）"),
    ("agent_t01_1", "帮办代办员（城关镇便民服务中心）"),
    ("agent_t01v01_1", "帮办代办员（东街社区便民服务站）"),
    ("liaison_scjg", "部门对接人员（县市场监督管理局）"),
    ("liaison_zj", "部门对接人员（县住房和城乡建设局）"),
]


def load(county: Site | None = None) -> list[tuple[str, str]]:
    """Import the demo roster (after the network); return (username, description) of the
    logins worth showing. ``county`` is accepted for the loaders' common signature: the
    roster names its own sites."""
    created = import_staff(DATA).created
    User = get_user_model()
    # one hash for all: a slow hash per user made the demo take 12 s
    User.objects.filter(username__in=created).update(password=make_password(DEMO_PASSWORD))
    User.objects.filter(username="admin").update(is_staff=True, is_superuser=True)
    return LOGINS
