"""Lifecycle moves, 出库/入库 and dynamic adjustments (动态调整) of a sub-item."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

from projects.domain.adjustments import (
    Adjustment,
    AdjustmentKind,
    AdjustmentStatus,
    Changes,
    apply_changes,
    current_values,
    validate_request,
)
from projects.domain.errors import ConflictError, InvalidValue, local_date
from projects.domain.events import (
    AdjustmentApproved,
    AdjustmentRejected,
    AdjustmentRequested,
    FieldChange,
    StageAdvanced,
    StageReturned,
    SubItemCorrected,
    SubItemReinstated,
    SubItemWithdrawn,
)
from projects.domain.row import ReserveRow
from projects.domain.stages import (
    GATE_RULES,
    GateEvidence,
    GateRule,
    MissingEvidence,
    Stage,
    StageSkip,
    check_advance,
    check_evidence,
    check_return,
    check_skips,
)
from projects.domain.subitem_base import SubItemBase, need_text
from projects.domain.table_sync import table_changes


class ChangeableSubItem(SubItemBase):
    """Lifecycle, 出库/入库 and adjustments of a sub-item."""

    # -- lifecycle -------------------------------------------------------------------------

    def advance(
        self,
        target: Stage,
        evidence: GateEvidence,
        *,
        by: str,
        at: datetime,
        rules: dict[Stage, GateRule] = GATE_RULES,
        skips: tuple[StageSkip, ...] = (),
    ) -> None:
        """Move one stage forward with the gate's evidence (or over the 前期工作 stages in
        ``skips``, each with its reason and document); InvalidTransition otherwise."""
        self._require_in_reserve()
        current = self.row.stage
        if skips:
            check_skips(current, target, skips)
        else:
            check_advance(current, target)
        check_evidence(target, evidence, local_date(at), rules)
        if target is Stage.EVALUATED and not self.evaluations:
            raise MissingEvidence(
                "进入「绩效评价」需要先录入绩效评价", "record an evaluation first"
            )
        skipped = "".join(
            f"（跳过{s.stage.zh}：{s.reason.strip()}，依据{s.document_no.strip()}）" for s in skips
        )
        self._set_stage(target, evidence.on, at, by, f"{current.zh} → {target.zh}{skipped}")
        self.events.append(
            StageAdvanced(
                subitem_id=self.id,
                at=at,
                from_stage=current,
                to_stage=target,
                on=evidence.on,
                document_no=evidence.document_no,
                by=by,
                skipped=skips,
            )
        )

    def return_to(self, target: Stage, *, reason: str, on: date, by: str, at: datetime) -> None:
        """Take one of the documented steps back (stages.RETURNS), with a reason."""
        self._require_in_reserve()
        current = self.row.stage
        check_return(current, target)
        need_text(reason, "退回原因", "reason")
        self._set_stage(target, on, at, by, f"退回 {current.zh} → {target.zh}：{reason}")
        self.events.append(
            StageReturned(
                subitem_id=self.id,
                at=at,
                from_stage=current,
                to_stage=target,
                on=on,
                reason=reason,
                by=by,
            )
        )

    def withdraw(self, *, reason: str, by: str, at: datetime) -> None:
        """Leave the reserve (出库); pending adjustments are rejected with it."""
        self._require_in_reserve()
        need_text(reason, "出库原因", "reason")
        for adj in self.adjustments:
            if adj.status is AdjustmentStatus.PENDING:
                self._decide(adj, AdjustmentStatus.REJECTED, by, at, f"子项出库：{reason}")
        change = FieldChange("in_reserve", "True", "False")
        self._record(at, by, "withdrawn", f"出库：{reason}", (change,))
        self._set_row(at, dataclasses.replace(self.row, in_reserve=False))
        self.events.append(SubItemWithdrawn(subitem_id=self.id, at=at, reason=reason, by=by))

    def reinstate(self, *, reason: str, by: str, at: datetime) -> None:
        """Re-enter the reserve (入库) after a withdrawal, at the stage it left at."""
        if self.row.in_reserve:
            raise ConflictError(f"子项 {self.id} 在库中", f"sub-item {self.id} is in the reserve")
        need_text(reason, "入库原因", "reason")
        change = FieldChange("in_reserve", "False", "True")
        self._record(at, by, "reinstated", f"重新入库：{reason}", (change,))
        self._set_row(at, dataclasses.replace(self.row, in_reserve=True))
        self.events.append(SubItemReinstated(subitem_id=self.id, at=at, reason=reason, by=by))

    def correct_from_table(self, row: ReserveRow, *, by: str, at: datetime) -> bool:
        """Apply a re-imported row's corrections (序号, 牵头单位, 项目来源); False if none."""
        self._require_in_reserve()
        if row.subitem_id != self.id:
            raise InvalidValue(
                f"子项编号不符：{row.subitem_id}", f"wrong sub-item {row.subitem_id}"
            )
        corrections, refused = table_changes(self.row, row)
        if refused:
            raise InvalidValue(refused[0].zh, refused[0].en)
        if not corrections:
            return False
        summary = "导入更正：" + "、".join(c.attr for c in corrections)
        self._record(at, by, "corrected", summary, corrections)
        updates = {c: getattr(row, c) for c in ("no", "lead_units", "source")}
        self._set_row(at, dataclasses.replace(self.row, **updates))
        self.events.append(SubItemCorrected(subitem_id=self.id, at=at, changes=corrections, by=by))
        return True

    # -- adjustments (动态调整) ---------------------------------------------------------------

    def request_adjustment(
        self, kind: AdjustmentKind, after: Changes, *, reason: str, by: str, at: datetime
    ) -> Adjustment:
        """File a request to change site, scale, technical plan, investment or years."""
        self._require_adjustable()
        need_text(reason, "调整原因", "reason")
        validate_request(self.row, kind, after)
        adj = Adjustment(
            id=f"{self.id}-A{len(self.adjustments) + 1}",
            kind=kind,
            after=after,
            before=current_values(self.row, after.attrs()),
            reason=reason,
            requested_by=by,
            requested_at=at,
        )
        changes = adj.field_changes()
        self._record(at, by, "adjustment.requested", f"申请{kind.zh}调整：{reason}", changes)
        self.adjustments.append(adj)
        self.events.append(
            AdjustmentRequested(
                subitem_id=self.id,
                at=at,
                adjustment_id=adj.id,
                kind=kind.value,
                changes=changes,
                reason=reason,
                by=by,
            )
        )
        return adj

    def approve_adjustment(
        self, adjustment_id: str, *, by: str, at: datetime, note: str = ""
    ) -> None:
        """Approve a pending request and apply it; the requester may not approve their own."""
        adj = self._pending(adjustment_id)
        self._require_adjustable()
        if by == adj.requested_by:
            raise ConflictError("申请人不能审批自己的调整申请", "requesters may not self-approve")
        if current_values(self.row, adj.after.attrs()) != adj.before:
            raise ConflictError(
                "申请后这些属性已被其他调整改变，请重新申请",
                "the attributes changed since the request; file a new one",
            )
        validate_request(self.row, adj.kind, adj.after)
        changes = adj.field_changes()
        self._decide(adj, AdjustmentStatus.APPROVED, by, at, note)
        self._set_row(at, apply_changes(self.row, adj.after))
        self.events.append(
            AdjustmentApproved(
                subitem_id=self.id,
                at=at,
                adjustment_id=adj.id,
                kind=adj.kind.value,
                changes=changes,
                by=by,
            )
        )

    def reject_adjustment(self, adjustment_id: str, *, reason: str, by: str, at: datetime) -> None:
        """Reject a pending request; nothing changes but the history."""
        adj = self._pending(adjustment_id)
        need_text(reason, "驳回原因", "reason")
        self._decide(adj, AdjustmentStatus.REJECTED, by, at, reason)

    def _pending(self, adjustment_id: str) -> Adjustment:
        for adj in self.adjustments:
            if adj.id == adjustment_id:
                if adj.status is not AdjustmentStatus.PENDING:
                    done = "批准" if adj.status is AdjustmentStatus.APPROVED else "驳回"
                    raise ConflictError(
                        f"调整申请 {adjustment_id} 已{done}",
                        f"adjustment {adjustment_id} is already {adj.status.value}",
                    )
                return adj
        raise ConflictError(f"无此调整申请：{adjustment_id}", f"no adjustment {adjustment_id}")

    def _decide(
        self, adj: Adjustment, status: AdjustmentStatus, by: str, at: datetime, note: str
    ) -> None:
        verb = "批准" if status is AdjustmentStatus.APPROVED else "驳回"
        summary = f"{verb}{adj.kind.zh}调整 {adj.id}" + (f"：{note}" if note else "")
        self._record(at, by, f"adjustment.{status.value}", summary, adj.field_changes())
        adj.status, adj.decided_by, adj.decided_at, adj.decision_note = status, by, at, note
        if status is AdjustmentStatus.REJECTED:
            self.events.append(
                AdjustmentRejected(
                    subitem_id=self.id,
                    at=at,
                    adjustment_id=adj.id,
                    kind=adj.kind.value,
                    reason=note,
                    by=by,
                )
            )
