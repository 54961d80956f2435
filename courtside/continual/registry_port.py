"""The registry interface continual learning needs, with an in-memory and a SageMaker (courtside.registry) adapter.

Why an interface: the retrain decision is a pure function over DataFrames plus "who is champion / record this
verdict". Tests and the drift drill use :class:`InMemoryRegistry`; the retrain Lambda uses
:class:`SageMakerRegistry`, which records each decision as a registry approval or rejection (who + why) so the
deployment history in the registry is the single decision log, and rolls back with the registry's rollback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from courtside.models.linear import LinearModel


@dataclass
class Candidate:
    ref: str  # "<group>/<version>"
    model: LinearModel
    status: str = "PendingManualApproval"


class RegistryPort(Protocol):
    def champion(self) -> Candidate | None: ...

    def register(self, model: LinearModel, metrics: dict[str, float], description: str) -> Candidate: ...

    def approve(self, candidate: Candidate, who: str, why: str) -> None: ...

    def reject(self, candidate: Candidate, who: str, why: str) -> None: ...

    def rollback(self, who: str, why: str) -> Candidate: ...


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class InMemoryRegistry:
    """Versions in a list; the newest Approved one is champion (the same rule as the SageMaker registry)."""

    group: str = "courtside-pregame"
    versions: list[Candidate] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)

    def champion(self) -> Candidate | None:
        return next((c for c in reversed(self.versions) if c.status == "Approved"), None)

    def register(self, model: LinearModel, metrics: dict[str, float], description: str) -> Candidate:
        c = Candidate(f"{self.group}/{len(self.versions) + 1}", model)
        self.versions.append(c)
        self.events.append({"at": _now(), "event": "registered", "ref": c.ref, "why": description, "metrics": metrics})
        return c

    def _event(self, event: str, c: Candidate, who: str, why: str) -> None:
        champ = self.champion()
        self.events.append(
            {"at": _now(), "event": event, "ref": c.ref, "who": who, "why": why, "serving": champ and champ.ref}
        )

    def approve(self, candidate: Candidate, who: str, why: str) -> None:
        candidate.status = "Approved"
        self._event("approved", candidate, who, why)

    def reject(self, candidate: Candidate, who: str, why: str) -> None:
        candidate.status = "Rejected"
        self._event("rejected", candidate, who, why)

    def rollback(self, who: str, why: str) -> Candidate:
        current = self.champion()
        if current is None:
            raise RuntimeError("nothing approved: nothing to roll back")
        current.status = "Rejected"
        previous = self.champion()
        if previous is None:
            current.status = "Approved"
            raise RuntimeError("no earlier approved version to roll back to")
        self._event("rollback", previous, who, f"from {current.ref}: {why}")
        return previous


@dataclass
class SageMakerRegistry:
    """Adapter over courtside.registry: model JSON in the artifacts bucket, packages in the model package group."""

    group: str
    artifacts_bucket: str
    code_version: str = "continual"
    dataset_version: str = "captures"

    def champion(self) -> Candidate | None:
        from courtside import registry

        found = registry.load_approved_model_json(self.group)
        if found is None:
            return None
        record, text = found
        return Candidate(record.model_version, LinearModel.from_json(text), record.status)

    def register(self, model: LinearModel, metrics: dict[str, float], description: str) -> Candidate:
        from courtside import registry
        from courtside.aws.s3io import put_bytes

        key = f"models/continual/{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%fZ')}/model.json"
        put_bytes(self.artifacts_bucket, key, model.to_json().encode(), "application/json")
        url = f"s3://{self.artifacts_bucket}/{key}"
        record = registry.register_model(
            self.group,
            url,
            {k: v for k, v in metrics.items() if v == v},
            dataset_version=self.dataset_version,
            code_version=self.code_version,
            feature_names=list(model.feature_names),
            description=description,
            model_json_url=url,
            who="courtside-retrain",
        )
        return Candidate(record.model_version, model, record.status)

    def approve(self, candidate: Candidate, who: str, why: str) -> None:
        from courtside import registry

        registry.approve(registry.resolve(self.group, candidate.ref), who, why)
        candidate.status = "Approved"

    def reject(self, candidate: Candidate, who: str, why: str) -> None:
        from courtside import registry

        registry.reject(registry.resolve(self.group, candidate.ref), who, why)
        candidate.status = "Rejected"

    def rollback(self, who: str, why: str) -> Candidate:
        from courtside import registry

        _, restored = registry.rollback(self.group, who, why)
        return Candidate(
            restored.model_version, LinearModel.from_json(registry.load_model_json(restored.model_json_url))
        )
