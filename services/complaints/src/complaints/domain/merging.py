"""When a duplicate may be merged into its first case (合并重复件), and what the merge records.

The rule keeps the record honest: a merge must not hide a missed deadline or a reporter who is
owed an answer.

- Only an open, unanswered case, into an earlier open case that is not itself merged.
- The same category and the same place (duplicates.same_place), or else the supervisor's
  written reason, which the history keeps.
- A case already past a deadline it has not met (assign, accept, reply or close) is merged
  only with a written reason saying why.
- The merged case keeps every deadline it had and still counts in 交办率 / 按时回复率 by them
  (rates.joined): it is assigned and answered when the case it joined is, and its named
  reporter receives that answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from complaints.domain.duplicates import same_place
from complaints.domain.errors import RuleViolation
from complaints.domain.model import Status

if TYPE_CHECKING:
    from complaints.domain.state import ComplaintState


def check_merge(
    duplicate: ComplaintState,
    first: ComplaintState,
    at: datetime,
    reason: str,
    place_prefixes: Iterable[str] = (),
) -> dict[str, str]:
    """Refuse a merge the rule does not allow; the history details of one it allows."""
    if first.id == duplicate.id:
        raise RuleViolation("merge_into_self", "a case cannot be merged into itself")
    if first.status is Status.MERGED:
        raise RuleViolation("merge_target_merged", "merge into the case it was merged into")
    if not first.is_open:
        # A repeat after the first case was closed is a new occurrence, not a duplicate.
        raise RuleViolation("merge_target_closed", "the first case is already closed")
    if first.received_at > duplicate.received_at:
        raise RuleViolation("merge_into_later_case", "the first case must be the earlier one")
    same_problem = first.category is duplicate.category and same_place(
        duplicate.duplicate_probe(), first.duplicate_probe(), place_prefixes
    )
    if not same_problem and not reason:
        raise RuleViolation(
            "merge_reason_required",
            "category or place differ: a merge needs the supervisor's written reason",
        )
    missed = ",".join(d.stage.value for d in duplicate.missed_stages(at))
    if missed and not reason:
        raise RuleViolation(
            "merge_overdue_reason_required",
            f"the case is past its {missed} deadline: a merge needs a written reason",
        )
    details = {"into_id": first.id, "same_problem": str(same_problem)}
    if missed:
        details["missed"] = missed
    if reason:
        details["reason"] = reason
    return details
