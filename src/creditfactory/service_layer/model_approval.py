"""Serving sign-off: no model is served without independent validation (issue 12, F5).

Training records the report's verdict in the spec (`scoring.training.checks`:
``training.verdict``). Every served spec — whatever its verdict says, since the verdict is text
in the file anyone can edit — is served only under a maker-checker approval bound to its sha256
(bank practice: a validator signs off a model before production use): an item of kind
``model_publication`` on subject ``model:<sha256>`` (the existing mechanism,
`access.maker_checker` through `approval_flow`) that a checker other than its maker approved
(status approved, or executed once the spec was published to running servers). Its leaves say
who asked and why (`approval.requested`: maker, note, sha256, the failed checks) and who
approved when (`approval.approved`). An edited spec has another sha256 and needs a new approval;
a spec loaded to be served must carry its sha256 (`load_spec(digest_required=True)`). A spec
whose verdict fails or is missing needs the maker's reason (`MIN_NOTE`); a passing one does not.

`cleared_to_serve` is what `creditfactory serve`, the API app factory and the publication
follower ask before serving a spec; the approval id it returns is named in every decision record
(`model_approval`). `sign_off` is `creditfactory model approve --spec PATH`: the first officer
asks (maker, with the reason), a different officer running it approves (checker).

Errors: ValidationError naming the field given (the spec setting, ``note``) — exit 2 / 422.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from creditfactory.access import AccessPolicy, ApprovalItem, ApprovalKind, ApprovalStatus
from creditfactory.kernel.errors import ValidationError
from creditfactory.scoring import ScorecardSpec, load_spec
from creditfactory.scoring.spec import spec_digest
from creditfactory.service_layer.approval_flow import decide_approval, request_approval
from creditfactory.service_layer.checked_actions import upload_model
from creditfactory.service_layer.factory_ports import OfficeWiring

__all__ = [
    "MIN_NOTE",
    "cleared_to_serve",
    "failed_checks",
    "sign_off",
    "signing_params",
]

KIND = ApprovalKind.MODEL_PUBLICATION
MIN_NOTE = 20  # characters of the maker's reason for serving a spec that fails its checks
NO_REPORT = "no report: the spec records no checks (training.verdict)"


def failed_checks(spec: ScorecardSpec) -> list[str]:
    """The checks the spec's recorded verdict failed, in English (`NO_REPORT` when it records
    none); empty when every check passed."""
    verdict = spec.training.get("verdict")
    if not isinstance(verdict, Mapping) or not isinstance(verdict.get("checks"), list):
        return [NO_REPORT]
    failed = [str(c.get("en", c.get("code"))) for c in verdict["checks"]
              if isinstance(c, Mapping) and c.get("passed") is not True]  # fmt: skip
    if verdict.get("passed") is not True and not failed:
        return ["the recorded verdict did not pass"]
    return failed


def _signed_off(uow: Any, digest: str) -> ApprovalItem | None:
    """The approval of serving `digest`: approved by a checker who is not its maker."""
    item: ApprovalItem | None = uow.approvals.signed_off(KIND, f"model:{digest}")
    if item is None or not item.checker or item.checker == item.maker:
        return None  # a row edited in the database is not four eyes
    return item


def cleared_to_serve(
    uow: Any, spec: ScorecardSpec, field: str, where: str, path: str = "SPEC.json"
) -> str:
    """The approval id `spec` is served under: its sign-off. raises ValidationError(`field`)
    naming `where` (the spec), its sha256, the failed checks (if any) and how to approve
    (`model approve --spec path`), when nobody signed it off."""
    digest = spec_digest(spec)
    item = _signed_off(uow, digest)
    if item is not None:
        return item.approval_id
    failed = failed_checks(spec)
    verdict = (f"fails {len(failed)} check(s) of its report — {'; '.join(failed)} — and"
               if failed else "passes its report's checks but")  # fmt: skip
    raise ValidationError(
        field,
        f"{where} (model {spec.model_id}, sha256 {digest[:12]}…) {verdict} no maker-checker "
        "approval of serving it exists: "
        f"one officer runs `creditfactory model approve --spec {path} --note WHY`, then a "
        "different officer runs `creditfactory model approve --spec …` to approve",
    )


def signing_params(uow: Any, subject: str, params: Mapping[str, str], note: str) -> dict[str, str]:
    """A model_publication item's params with the stored spec's sha256 and verdict, so its
    checker sees what they sign. raises ValidationError("note") when the spec fails its checks
    and the maker gives no reason of at least `MIN_NOTE` characters."""
    row = uow.models.spec(subject.partition(":")[2])
    spec = load_spec(row["spec"])
    failed = failed_checks(spec)
    if failed and len(note.strip()) < MIN_NOTE:
        raise ValidationError(
            "note", f"the spec fails {len(failed)} check(s) ({'; '.join(failed)}): say why it "
            f"should be served anyway (at least {MIN_NOTE} characters)",
        )  # fmt: skip
    return {**params, "sha256": spec_digest(spec), "verdict": "fail" if failed else "pass",
            "failed_checks": "; ".join(failed)}  # fmt: skip


def sign_off(
    deps: OfficeWiring, access: AccessPolicy, spec_text: str, officer: str, role: str,
    note: str, approved: bool = True,
) -> dict[str, Any]:  # fmt: skip
    """One officer's step on serving a spec (module docstring): store it, then ask (no item
    open: maker) or decide the pending item (checker; `approved` False rejects). Returns the
    item with ``step`` (requested | approved | rejected | already approved) and ``failed_checks``.
    raises MakerCheckerViolation (the maker checking), PermissionDenied, ValidationError."""
    spec = load_spec(spec_text)
    digest = upload_model(deps, spec_text, officer)["spec_digest"]
    subject = f"model:{digest}"
    with deps.uow() as uow:
        current: ApprovalItem | None = uow.approvals.open_for(subject)
        done = _signed_off(uow, digest)
    failed = failed_checks(spec)
    if current is None and done is not None and approved:
        return {**done.to_dict(), "step": "already approved", "failed_checks": failed}
    if current is None:
        if not approved:
            raise ValidationError("spec", f"no pending approval for {subject} to reject")
        item = request_approval(deps, access, KIND.value, subject, {}, officer, role, note)
        return {**item, "step": "requested", "failed_checks": failed}
    if current.status is ApprovalStatus.APPROVED:
        return {**current.to_dict(), "step": "already approved", "failed_checks": failed}
    decided = decide_approval(deps, access, current.approval_id, officer, role, approved)
    return {**decided, "step": "approved" if approved else "rejected", "failed_checks": failed}
