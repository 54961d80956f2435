"""`courtside` commands of the serve area: call the local prediction API like an app would."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import typer


def _call(method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    from courtside.config import get_settings

    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(
        get_settings().api_base_url + path, data=data, method=method, headers={"content-type": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root app."""

    @app.command("predict")
    def predict(
        date: str = typer.Option(..., help="Game date YYYY-MM-DD"),
        home: str = typer.Option(..., help="Home team code (BRK or BKN form)"),
        away: str = typer.Option(..., help="Away team code"),
        neutral: bool = typer.Option(False, help="Neutral site"),
    ) -> None:
        """Pre-game home win probability from the local API (`make up` must be running)."""
        status, body = _call(
            "POST", "/v1/predictions/pregame", {"date": date, "home_team": home, "away_team": away, "neutral": neutral}
        )
        typer.echo(json.dumps(body, indent=2))
        raise typer.Exit(0 if status == 200 else 1)

    @app.command("live")
    def live(game_id: str = typer.Argument(..., help="YYYYMMDD_AWAY_at_HOME")) -> None:
        """Live in-game win probability of a game from the local API."""
        status, body = _call("GET", f"/v1/games/{game_id}/live")
        typer.echo(json.dumps(body, indent=2))
        raise typer.Exit(0 if status == 200 else 1)
