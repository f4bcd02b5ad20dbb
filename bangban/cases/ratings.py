"""The rating scale (好差评等级): one policy for the SMS, the portal, the paper form and the API.

The platform stores every rating on GB/T 39734's five levels (5 非常满意 … 1 非常不满意);
that is what the figures count. What a client is *offered* is the scale of the county
centre the case belongs to:

- ``gbt39734`` (default): 非常满意 / 满意 / 基本满意 / 不满意 / 非常不满意 — GB/T 39734;
- ``four_level``: 很满意 / 较满意 / 一般 / 不满意 — the form of seed 003 附件4
  (《区政务服务中心“帮吾办”帮办代办服务评价表》), mapped onto the five levels:

  ======  ======================  =====================================
  附件4    stored as (GB/T 39734)   why
  ======  ======================  =====================================
  很满意   5 非常满意                the top of each scale
  较满意   4 满意
  一般     3 基本满意                the lowest good rating (好评) of both
  不满意   2 不满意                  a bad review (差评): opens a rectification
  ======  ======================  =====================================

  The four-level form has no 非常不满意; a stored 1 (entered on another scale, e.g. by the
  provincial platform) reads back as 不满意.

A centre picks its scale in the admin (监督评价参数, ``oversight.CentrePolicy.rating_scale``).
The core holds the scales, pure data, and a port: the oversight area provides at start-up
which scale a site uses (``provide_scale``), as it provides the ``evaluation_allowed`` guard,
so the notifications and documents areas, which may not import oversight, ask here. Nothing
provided: the default scale.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal


@dataclass(frozen=True)
class Scale:
    key: str
    name: str
    # (label offered, the GB/T 39734 level it is stored as), best first
    options: tuple[tuple[str, int], ...]

    @property
    def labels(self) -> list[str]:
        return [label for label, _ in self.options]

    def level_of(self, label: str) -> int | None:
        """The stored level (1…5) of a label of this scale, else None."""
        return dict(self.options).get(str(label).strip())

    def label_of(self, level: int) -> str:
        """What this scale calls a stored level (the nearest option below for a gap)."""
        for label, value in sorted(self.options, key=lambda option: option[1]):
            if value >= level:
                return label
        return self.options[0][0]

    @property
    def text(self) -> str:
        """The labels for a sentence: 非常满意、满意、基本满意、不满意、非常不满意."""
        return "、".join(self.labels)


FIVE_LEVELS = Scale(
    "gbt39734",
    "五级（GB/T 39734：非常满意/满意/基本满意/不满意/非常不满意）",
    (("非常满意", 5), ("满意", 4), ("基本满意", 3), ("不满意", 2), ("非常不满意", 1)),
)
FOUR_LEVELS = Scale(
    "four_level",
    "四级（评价表附件4：很满意/较满意/一般/不满意）",
    (("很满意", 5), ("较满意", 4), ("一般", 3), ("不满意", 2)),
)
SCALES: dict[str, Scale] = {scale.key: scale for scale in (FIVE_LEVELS, FOUR_LEVELS)}
DEFAULT = FIVE_LEVELS
SCALE_CHOICES = [(scale.key, scale.name) for scale in SCALES.values()]
# Every label any scale offers, with its stored level (the API's body accepts each).
ALL_LABELS: tuple[str, ...] = tuple(
    dict.fromkeys(label for scale in SCALES.values() for label in scale.labels)
)

# The same labels as a type, for the API's body (a test keeps the two equal).
Label = Literal["非常满意", "满意", "基本满意", "不满意", "非常不满意", "很满意", "较满意", "一般"]

ScaleProvider = Callable[[Any], str]
_provider: list[ScaleProvider] = []


def provide_scale(provider: ScaleProvider) -> None:
    """``provider(site) -> the key of the scale that site's centre uses``."""
    _provider[:] = [provider]


def scale_for(site) -> Scale:
    """The scale offered for a case of ``site`` (its county centre's choice)."""
    if site is None or not _provider:
        return DEFAULT
    return SCALES.get(_provider[0](site), DEFAULT)
