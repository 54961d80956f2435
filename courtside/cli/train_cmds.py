"""`courtside` commands of the train area: train, reproduce, experiments (list/show/compare), models
(list/approve/reject/rollback/history), pipeline (definition/upsert, pre-game or --live in-game).

AWS calls go wherever boto3 points: `export AWS_ENDPOINT_URL=http://127.0.0.1:5000` for the local stack
(`courtside up`), nothing for the cloud. Heavy imports (pandas, MLflow, SageMaker SDK) happen inside commands.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

experiments_app = typer.Typer(
    help="Experiment tracking (MLflow): list, show and compare training runs.", no_args_is_help=True
)
models_app = typer.Typer(
    help="Model registry (SageMaker Model Registry): list, approve, reject, roll back.", no_args_is_help=True
)
pipeline_app = typer.Typer(
    help="SageMaker Pipeline (build set -> train -> evaluate -> gate -> register): definition, upsert.",
    no_args_is_help=True,
)


def _echo_json(obj: Any) -> None:
    typer.echo(json.dumps(obj, indent=2, sort_keys=True, default=str))


def _settings() -> Any:
    from courtside.config import get_settings

    return get_settings()


def _group(group: str | None) -> str:
    return group or _settings().names.model_package_group


def train(
    from_file: bool = typer.Option(
        False, "--from-file", help="Read games from the shipped Parquet file, not the lake."
    ),
    games_file: Path | None = typer.Option(None, help="Games Parquet file (implies --from-file)."),
    model_kind: str = typer.Option("logistic", help="logistic, or a kind provided by courtside.models.pregame."),
    c: float = typer.Option(1.0, help="Inverse L2 regularisation strength."),
    min_season: int | None = typer.Option(1985, help="First season trained on."),
    max_season: int | None = typer.Option(None, help="Last season trained on."),
    recency_half_life: float | None = typer.Option(None, help="Sample-weight half-life in seasons."),
    seed: int = typer.Option(42),
    hp: list[str] = typer.Option([], "--hp", help="Extra hyperparameter name=value (repeatable)."),
    approve: bool = typer.Option(False, help="Approve the new package at once (it starts serving)."),
    who: str | None = typer.Option(None, help="Who trains/approves (default: OS user)."),
    why: str = typer.Option("trained by courtside train", help="Reason recorded with the approval."),
    group: str | None = typer.Option(None, help="Model package group (default: the pre-game group)."),
    as_json: bool = typer.Option(False, "--json", help="Print the outcome as JSON."),
) -> None:
    """Build the training set, version it, train with sagemaker/train.py locally, track in MLflow, register."""
    from courtside.config import get_settings
    from courtside.training.flow import GAMES_FILE, games_from_file, games_from_lake, train_and_register

    settings = get_settings()
    hps: dict[str, Any] = {
        "model_kind": model_kind,
        "c": c,
        "min_season": min_season,
        "max_season": max_season,
        "recency_half_life": recency_half_life,
        "seed": seed,
    }
    for item in hp:
        name, sep, value = item.partition("=")
        if not sep:
            raise typer.BadParameter(f"--hp expects name=value, got {item!r}")
        hps[name.strip()] = value.strip()
    partitions: list[str] = []
    versions: dict[str, str] = {}
    if from_file or games_file:
        path = games_file or settings.data_dir / GAMES_FILE
        games = games_from_file(path)
        partitions = [str(path)]
        typer.echo(f"games: {len(games)} from {path}", err=True)
    else:
        found = games_from_lake(settings)
        if found is None:
            lake = settings.names.lake_bucket
            typer.echo(f"no curated games in the lake (s3://{lake}/curated/games/); use --from-file", err=True)
            raise typer.Exit(2)
        games, partitions, versions = found
        typer.echo(f"games: {len(games)} from {len(partitions)} lake partitions", err=True)
    outcome = train_and_register(
        settings,
        games,
        hps,
        approve=approve,
        who=who,
        why=why,
        group=group,
        source_partitions=partitions,
        source_object_versions=versions,
    )
    if as_json:
        _echo_json(outcome.as_dict())
        return
    typer.echo(f"run id          : {outcome.run_id}")
    typer.echo(f"model version   : {outcome.model_version} ({'approved' if outcome.approved else 'pending approval'})")
    typer.echo(f"model package   : {outcome.model_package_arn}")
    typer.echo(f"dataset version : {outcome.dataset_version}")
    for k, v in sorted(outcome.metrics.items()):
        typer.echo(f"  {k:<22} {v:.6g}")


def reproduce(
    run_id: str = typer.Argument(..., help="MLflow run id of the run to rebuild."),
    tolerance: float = typer.Option(1e-9, help="Maximum absolute difference of predicted probabilities."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Rebuild a run's model from its recorded dataset version and code version and compare predictions."""
    from courtside.training.reproduce import reproduce_run

    report = reproduce_run(_settings(), run_id, tolerance=tolerance)
    if as_json:
        _echo_json(report.as_dict())
    else:
        for line in report.lines():
            typer.echo(line)
    if not report.ok:
        raise typer.Exit(1)


# ---- experiments ---------------------------------------------------------------------------------------------


@experiments_app.command("list")
def experiments_list(limit: int = typer.Option(20), as_json: bool = typer.Option(False, "--json")) -> None:
    """Newest training runs with their dataset version, code version and Brier score."""
    from courtside.training import tracking

    runs = tracking.list_runs(limit=limit)
    if as_json:
        _echo_json([r.as_dict() for r in runs])
        return
    typer.echo(f"{'run id':<34} {'status':<9} {'dataset':<17} {'commit':<9} {'train_brier':>11} model version")
    for r in runs:
        t = r.tags
        typer.echo(
            f"{r.run_id:<34} {r.status:<9} {r.dataset_version or '-':<17} {(r.git_commit or '-')[:8]:<9} "
            f"{r.metrics.get('train_brier', float('nan')):>11.5f} {t.get(tracking.TAG + 'model_version', '-')}"
        )


@experiments_app.command("show")
def experiments_show(run_id: str) -> None:
    """Parameters, metrics, lineage tags and artifact location of one run."""
    from courtside.training import tracking

    _echo_json(tracking.get_run(run_id).as_dict())


@experiments_app.command("compare")
def experiments_compare(run_a: str, run_b: str) -> None:
    """Parameter and lineage differences and metrics side by side (b - a)."""
    from courtside.training import tracking

    diff = tracking.compare(tracking.get_run(run_a), tracking.get_run(run_b))
    typer.echo(f"{'metric':<24} {'A':>12} {'B':>12} {'B - A':>12}")
    for k, (a, b) in diff["metrics"].items():
        delta = b - a if a is not None and b is not None else float("nan")
        fa = f"{a:.6g}" if a is not None else "-"
        fb = f"{b:.6g}" if b is not None else "-"
        typer.echo(f"{k:<24} {fa:>12} {fb:>12} {delta:>12.6g}")
    for section in ("params", "lineage"):
        if diff[section]:
            typer.echo(f"{section} that differ:")
            for k, (a, b) in diff[section].items():
                typer.echo(f"  {k}: {a} -> {b}")
        else:
            typer.echo(f"{section}: identical")


@experiments_app.command("track-job")
def experiments_track_job(
    job_name: str = typer.Argument(..., help="A completed SageMaker training job started by the cloud launcher."),
    who: str | None = typer.Option(None, help="Recorded as the run's user (default: OS user)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Record a finished SageMaker training job as an MLflow run + pending model package (same schema as local)."""
    from courtside.training import cloud

    outcome = cloud.track_training_job(_settings(), job_name, who=who)
    if as_json:
        _echo_json(outcome.as_dict())
    else:
        typer.echo(f"run {outcome.run_id}: {outcome.model_version} pending, dataset {outcome.dataset_version}")


# ---- models --------------------------------------------------------------------------------------------------


@models_app.command("list")
def models_list(group: str | None = typer.Option(None), as_json: bool = typer.Option(False, "--json")) -> None:
    """Every version of the group with status, dataset version and metrics; * marks the serving version."""
    from courtside import registry

    g = _group(group)
    records = registry.list_models(g)
    serving = registry.approved_model(g)
    if as_json:
        _echo_json([r.as_dict() for r in records])
        return
    typer.echo(f"  {'version':<26} {'status':<22} {'dataset':<17} {'commit':<9} {'train_brier':>11}")
    for r in records:
        mark = "*" if serving and r.version == serving.version else " "
        brier = r.metrics.get("train_brier")
        typer.echo(
            f"{mark} {r.model_version:<26} {r.status:<22} {r.dataset_version or '-':<17} "
            f"{(r.code_version or '-')[:8]:<9} {brier if brier is not None else float('nan'):>11.5f}"
        )


def _who(who: str | None) -> str:
    import getpass

    return who or getpass.getuser()


def _change_status(
    action: str, version: str, why: str, who: str | None, group: str | None, override_gate: bool = False
) -> None:
    """Approve or reject one version, then say which version now serves (the newest approved one). Approving a
    package whose recorded perturbation checks failed (the in-game gate's ``perturbation_passed`` 0) takes
    `override_gate`, and the override is written into the recorded reason."""
    from courtside import registry

    if group is None and "/" in version and "arn:" not in version:
        group = version.rsplit("/", 1)[0]
    g = _group(group)
    arn = registry.resolve(g, version)
    if action == "approved" and registry.describe(arn).metrics.get("perturbation_passed") == 0.0:
        if not override_gate:
            typer.echo(
                f"{version} failed its perturbation checks (see perturbation.json next to its model); "
                "approve with --override-gate to serve it anyway",
                err=True,
            )
            raise typer.Exit(1)
        why = f"{why} [perturbation checks failed; gate overridden]"
    change = registry.approve if action == "approved" else registry.reject
    rec = change(arn, _who(who), why)
    serving = registry.approved_model(g)
    typer.echo(f"{action} {rec.model_version}; serving {serving.model_version if serving else '-'}")


@models_app.command("approve")
def models_approve(
    version: str = typer.Argument(..., help="Version number, <group>/<version> or package ARN."),
    why: str = typer.Option(..., help="Reason recorded with the approval."),
    who: str | None = typer.Option(None),
    group: str | None = typer.Option(None),
    override_gate: bool = typer.Option(
        False, "--override-gate", help="Approve although the package's perturbation checks failed (recorded)."
    ),
) -> None:
    """Approve a version: the newest approved version is what the prediction API serves."""
    _change_status("approved", version, why, who, group, override_gate)


@models_app.command("reject")
def models_reject(
    version: str = typer.Argument(...),
    why: str = typer.Option(...),
    who: str | None = typer.Option(None),
    group: str | None = typer.Option(None),
) -> None:
    """Reject a version (if it was serving, the newest remaining approved version serves)."""
    _change_status("rejected", version, why, who, group)


@models_app.command("rollback")
def models_rollback(
    why: str = typer.Option(...), who: str | None = typer.Option(None), group: str | None = typer.Option(None)
) -> None:
    """Reject the serving version and restore the one that served before it (recorded in the history)."""
    from courtside import registry

    rejected, restored = registry.rollback(_group(group), _who(who), why)
    typer.echo(f"rolled back {rejected.model_version} -> serving {restored.model_version}")


@models_app.command("pointer")
def models_pointer(
    sync: bool = typer.Option(False, "--sync", help="Rewrite the pointer from the registry (the source of truth)."),
    who: str | None = typer.Option(None),
    group: str | None = typer.Option(None),
) -> None:
    """The serving pointer the predict function reads (docs/architecture.md); --sync after a console change."""
    from courtside import registry

    g = _group(group)
    doc = registry.sync_serving_pointer(g, _who(who)) if sync else registry.read_serving_pointer(g)
    if doc is None:
        typer.echo(f"no serving pointer for {g}: the predict function asks the registry (run with --sync)")
        return
    _echo_json(doc)


@models_app.command("train-live")
def models_train_live(
    out: Path = typer.Option(Path("data/models/ingame_model.json"), "--out"),
    pbp_dir: Path = typer.Option(Path("/work/shared/data/pbp"), "--pbp-dir"),
    from_lake: bool = typer.Option(
        False,
        "--from-lake",
        help="Train on the lake's own validated events (raw/event_type=pbp|game_final/) instead of --pbp-dir: the "
        "games the platform streamed.",
    ),
    events_dir: Path | None = typer.Option(
        None,
        "--events-dir",
        help="A local copy of the lake's raw zone (holding event_type=pbp/, e.g. `aws s3 sync s3://LAKE/raw/ DIR`) "
        "to read instead of the bucket; implies --from-lake.",
    ),
    train_seasons: str = typer.Option("2015-16,2016-17,2017-18", "--train-seasons", help="pbp_<season>.parquet"),
    test_season: str = typer.Option("2018-19", "--test-season", help="Scored once for a test Brier; '' = none."),
    n_estimators: int = typer.Option(300, "--n-estimators"),
    pregame_predictions: str = typer.Option(
        "",
        "--pregame-predictions",
        help="`courtside backtest` predictions CSV for the early trees (periods 1-3); default: the committed "
        "docs/results/predictions.csv; 'none' = no early trees.",
    ),
    do_register: bool = typer.Option(False, "--register", help="Register it in the live model package group."),
    approve: bool = typer.Option(False, "--approve", help="Approve it too (it starts serving the live endpoint)."),
    who: str | None = typer.Option(None),
    why: str = typer.Option("in-game model trained with courtside models train-live", "--why"),
) -> None:
    """Train the in-game model on 2015-16..2017-18 play-by-play and write its JSON (what the live endpoint serves)."""
    import time

    from tqdm import tqdm

    from courtside.models import ingame, ingame_events, ingame_train

    t = time.perf_counter()
    seasons = [x.strip() for x in train_seasons.split(",") if x.strip()]
    choice = pregame_predictions.strip()
    predictions = None if choice.lower() == "none" else Path(choice) if choice else ingame.WALK_FORWARD_PREDICTIONS
    source: Path | ingame_events.LakeGames = pbp_dir
    if from_lake or events_dir is not None:
        wanted = [*seasons, *([test_season] if test_season else [])]
        lake = (
            ingame_events.read_dir(events_dir, wanted)
            if events_dir is not None
            else ingame_events.read_bucket(_settings().names.lake_bucket, wanted)
        )
        if not lake.pbp:
            typer.echo(json.dumps({"error": "no_lake_events", "seasons": wanted}), err=True)
            raise typer.Exit(2)
        source = lake
    with tqdm(desc="replaying play-by-play (fitting follows)", unit="game") as bar:
        trained = ingame_train.train(source, seasons, test_season or None, n_estimators, predictions, progress=bar)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(trained.to_json() + "\n")
    summary = {**trained.metadata, "out": str(out), "bytes": out.stat().st_size}
    summary["total_s"] = round(time.perf_counter() - t, 1)
    if do_register or approve:
        from courtside import registry
        from courtside.training.live_model import register_live_model

        rec = register_live_model(_settings(), out.read_bytes(), approve=approve, who=_who(who), why=why)
        summary.update(model_version=rec.model_version, status=rec.status)
        if approve and rec.status != registry.APPROVED:  # the promotion gate refused it: say so, fail the command
            summary["rejected_because"] = rec.approval_description
            _echo_json(summary)
            raise typer.Exit(1)
    _echo_json(summary)


@models_app.command("history")
def models_history(group: str | None = typer.Option(None), as_json: bool = typer.Option(False, "--json")) -> None:
    """Deployment history: registry events and which version served when."""
    from courtside import registry

    g = _group(group)
    events = registry.history(g)
    if as_json:
        _echo_json({"events": events, "serving": registry.serving_timeline(g)})
        return
    for e in events:
        typer.echo(
            f"{e['at']}  {e['event']:<10} v{e['version']:<4} by {e['who']}: {e['why']}"
            f"  (serving v{e['serving_version']})"
        )


# ---- pipeline ------------------------------------------------------------------------------------------------


@pipeline_app.command("definition")
def pipeline_definition(
    role: str | None = typer.Option(None, help="SageMaker execution role ARN (else COURTSIDE_SAGEMAKER_ROLE_ARN)."),
    mlflow_arn: str | None = typer.Option(None, help="SageMaker managed MLflow tracking server ARN."),
    live: bool = typer.Option(False, "--live", help="The in-game training pipeline instead of the pre-game one."),
) -> None:
    """Print the pipeline definition JSON (uploads each step's staged source to the artifacts bucket)."""
    if live:
        from courtside.training import live_pipeline

        _echo_json(live_pipeline.live_definition(_settings(), role))
        return
    from courtside.training import pipeline

    _echo_json(pipeline.definition(_settings(), role, mlflow_arn=mlflow_arn))


@pipeline_app.command("upsert")
def pipeline_upsert(
    role: str | None = typer.Option(None, help="SageMaker execution role ARN (else COURTSIDE_SAGEMAKER_ROLE_ARN)."),
    mlflow_arn: str | None = typer.Option(None, help="SageMaker managed MLflow tracking server ARN."),
    live: bool = typer.Option(False, "--live", help="The in-game training pipeline instead of the pre-game one."),
) -> None:
    """Create the pipeline, or update it when it exists, in the configured account."""
    if live:
        from courtside.training import live_pipeline

        out = live_pipeline.live_upsert(_settings(), role)
        typer.echo(f"upserted {out['PipelineArn']}")
        return
    from courtside.training import pipeline

    out = pipeline.upsert(_settings(), role, mlflow_arn=mlflow_arn)
    typer.echo(f"upserted {out['PipelineArn']}")


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root app."""
    app.command("train")(train)
    app.command("reproduce")(reproduce)
    app.add_typer(experiments_app, name="experiments")
    app.add_typer(models_app, name="models")
    app.add_typer(pipeline_app, name="pipeline")
