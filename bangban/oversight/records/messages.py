"""What the records tell the rest of the platform, through the core's message bus.

An evaluation can come to count differently without a case event: an upheld appeal leaves
it out of the satisfaction rate, a return visit makes a real-name bad review count as
visited. The records publish ``EvaluationRecounted`` (``bangban.cases.events.publish``,
inside the change's transaction); the figures subscribe to it and count the evaluation's
case again, so the records never import the figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from bangban.cases import events


@dataclass(frozen=True)
class EvaluationRecounted:
    """Evaluation ``evaluation_id`` of case ``case_id`` now counts differently."""

    evaluation_id: int
    case_id: int


def evaluation_recounted(evaluation_id: int, case_id: int) -> None:
    events.publish(EvaluationRecounted(evaluation_id=evaluation_id, case_id=case_id))
