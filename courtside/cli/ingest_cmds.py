"""`courtside` commands of the ingest area: replay, stats, ingest stats|load-history|load-pbp, quarantine."""

from __future__ import annotations

import json
from pathlib import Path

import typer

quarantine_app = typer.Typer(help="List and re-drive quarantined records.", no_args_is_help=True)
ingest_app = typer.Typer(help="Ingestion: counts and history loads.", no_args_is_help=True)


def replay(
    speed: float = typer.Option(0.0, help="game-seconds per wall-second; 0 = as fast as possible"),
    season: int | None = typer.Option(None, help="season (year it ends), e.g. 2019"),
    games: int | None = typer.Option(None, help="only the first N games (by date)"),
    data_dir: Path | None = typer.Option(None, help="folder with pbp/, box/ (default: the repository extract)"),
    pbp_file: Path | None = typer.Option(None, help="play-by-play parquet (e.g. the shared pbp_2018-19.parquet)"),
    box_file: Path | None = typer.Option(None, help="player box parquet"),
    index_file: Path | None = typer.Option(None, help="games index CSV matching --pbp-file"),
    types: str | None = typer.Option(None, help="only these event types, comma-separated (e.g. game_final,pbp)"),
    details_through: str | None = typer.Option(
        None, help="play-by-play and box lines only for games up to this date (YYYY-MM-DD); later: results only"
    ),
    stream: str | None = typer.Option(None, help="stream name (default: the configured input stream)"),
) -> None:
    """Stream real play-by-play, box scores and results into Kinesis, game by game (partition key = game id)."""
    from tqdm import tqdm

    from courtside.config import get_settings
    from courtside.ingest.replay import replay as run_replay
    from courtside.sources.extract import iter_game_events

    settings = get_settings()
    wanted = set(types.split(",")) if types else None
    source = iter_game_events(
        data_dir or settings.data_dir,
        season=season,
        games=games,
        pbp_path=pbp_file,
        box_path=box_file,
        index_path=index_file,
        details_through=details_through,
    )
    with tqdm(desc="events", unit="ev") as bar:
        result = run_replay(
            source,
            stream or settings.names.stream,
            speed=speed,
            include=(lambda _g, ev: ev["event_type"] in wanted) if wanted else None,
            on_record=lambda: bar.update(1),
        )
    typer.echo(json.dumps(result.as_dict()))


def stats(as_json: bool = typer.Option(False, "--json", help="print JSON")) -> None:
    """Counts of the running stack: in, stored, quarantined, by reason (from the lake and quarantine)."""
    from courtside.config import get_settings
    from courtside.ingest.stats import ingest_stats

    result = ingest_stats(get_settings())
    if as_json:
        typer.echo(json.dumps(result, sort_keys=True))
    else:
        for k, v in result.items():
            typer.echo(f"{k:20s} {v}")


@quarantine_app.command("list")
def quarantine_list(
    reason: str | None = typer.Option(None, help="only this reason code"),
    limit: int = typer.Option(50, help="at most this many"),
) -> None:
    """One JSON line per quarantined record: key, reason, detail, source."""
    from courtside.aws.s3io import get_bytes, list_keys
    from courtside.config import get_settings
    from courtside.ingest.quarantine import QuarantineRecord

    bucket = get_settings().names.quarantine_bucket
    prefix = f"reason={reason}/" if reason else "reason="
    for n, key in enumerate(list_keys(bucket, prefix)):
        if n >= limit:
            break
        q = QuarantineRecord.from_json(get_bytes(bucket, key))
        typer.echo(json.dumps({"key": key, "reason": q.reason, "detail": q.detail, "source": q.source.as_dict()}))


@quarantine_app.command("redrive")
def quarantine_redrive(
    reason: str | None = typer.Option(None, help="only this reason code"),
    force: bool = typer.Option(False, help="re-put even records that still fail the stateless checks"),
) -> None:
    """Re-put quarantined raw bytes onto the input stream and remove them from quarantine.

    Records that still fail the stateless checks (schema, ranges, teams) are left in place unless --force; the
    others go back through the validate function, which stores them or quarantines them again (so
    `in == stored + quarantined` keeps holding).
    """
    from courtside.aws.kinesis_producer import put_raw_records
    from courtside.aws.s3io import delete, get_bytes, list_keys
    from courtside.config import get_settings
    from courtside.errors import EventRejected
    from courtside.events import parse_event
    from courtside.ingest.aws_sinks import DynamoStateStore
    from courtside.ingest.quarantine import QuarantineRecord
    from courtside.ingest.rules import check_event

    settings = get_settings()
    bucket = settings.names.quarantine_bucket
    state = DynamoStateStore(settings.names.state_table)
    redriven = kept = 0
    for key in list(list_keys(bucket, f"reason={reason}/" if reason else "reason=")):
        q = QuarantineRecord.from_json(get_bytes(bucket, key))
        event_id = None
        try:
            ev = parse_event(q.data)
            event_id = ev.event_id
            check_event(ev)
            pk = ev.game_id
        except EventRejected:
            if not force:
                kept += 1
                continue
            pk = q.source.partition_key or "redrive"
        if event_id:
            state.forget_quarantined(event_id)  # else the validator would ignore it as a redelivery
        put_raw_records([(pk, q.data)], settings.names.stream)
        delete(bucket, key)
        redriven += 1
    typer.echo(json.dumps({"redriven": redriven, "kept": kept}))


@ingest_app.command("stats")
def ingest_stats_cmd(as_json: bool = typer.Option(True, "--json/--text")) -> None:
    """Same as `courtside stats`."""
    stats(as_json)


@ingest_app.command("load-history")
def load_history_cmd(seasons: str | None = typer.Option(None, help="e.g. 2015-2019 or 2019")) -> None:
    """Validate the historical games file and write it to the curated lake (same rules as the stream)."""
    import sys

    from courtside.config import REPO_ROOT

    sys.path.insert(0, str(REPO_ROOT))
    from glue.jobs.load_history import main

    main(["--seasons", seasons] if seasons else [])


@ingest_app.command("load-pbp")
def load_pbp_cmd(
    pbp_dir: Path = typer.Option(Path("/work/shared/data/pbp"), "--pbp-dir"),
    seasons: str = typer.Option("", help="comma-separated, e.g. 2015-16,2016-17 (default: every pbp_*.parquet)"),
) -> None:
    """Check play-by-play files and write them to s3://{lake}/raw/pbp/ (the in-game training pipeline's input)."""
    from courtside.config import get_settings
    from courtside.ingest.pbp_files import PbpFileError, upload_pbp

    chosen = [s.strip() for s in seasons.split(",") if s.strip()] or None
    try:
        keys = upload_pbp(pbp_dir, get_settings().names.lake_bucket, chosen)
    except PbpFileError as exc:
        typer.echo(json.dumps({"error": "bad_pbp_file", "detail": str(exc)}), err=True)
        raise typer.Exit(2) from exc
    typer.echo(json.dumps({"uploaded": keys}))


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root app."""
    app.command("replay")(replay)
    app.command("stats")(stats)
    app.add_typer(quarantine_app, name="quarantine")
    app.add_typer(ingest_app, name="ingest")
