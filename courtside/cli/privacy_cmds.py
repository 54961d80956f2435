"""`courtside privacy ...`: consent records, pseudonyms and erasure from the command line."""

from __future__ import annotations

import json

import typer


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root app."""
    privacy = typer.Typer(help="Consent records, pseudonyms and erasure of app users (docs/privacy.md).")
    app.add_typer(privacy, name="privacy")

    @privacy.command("erase")
    def erase(
        user_id: str = typer.Argument(..., help="raw user id (or its psn:... pseudonym)"),
        request_id: str = typer.Option(None, help="id of the erasure request (default: a new UUID)"),
    ) -> None:
        """Erase a user from the lake (all object versions), captures, online store and consent history.

        Prints the audit report, which is also stored at s3://<lake>/privacy/audit/<request-id>.json."""
        from courtside.privacy.erasure import erase_user

        report = erase_user(user_id, request_id=request_id, progress=lambda s: typer.echo(f"erasing: {s}", err=True))
        typer.echo(json.dumps(report, indent=2, sort_keys=True))
        if not report["complete"]:
            raise typer.Exit(code=2)

    @privacy.command("consent")
    def show_consent(user_id: str = typer.Argument(..., help="raw user id (or its psn:... pseudonym)")) -> None:
        """Show a user's consent record and history."""
        from courtside.privacy.consent import get_consent

        rec = get_consent(user_id)
        if rec is None:
            typer.echo("no consent record", err=True)
            raise typer.Exit(code=1)
        typer.echo(json.dumps(rec.public(), indent=2))

    @privacy.command("record-consent")
    def record(
        user_id: str = typer.Argument(...),
        purposes: list[str] = typer.Option(["analytics"], "--purpose", help="analytics / personalisation"),
        agreement_version: str = typer.Option("2026-01", help="version of the user agreement accepted"),
    ) -> None:
        """Record consent for a user (what the app does through POST /v1/users/{user_id}/consent)."""
        from courtside.privacy.consent import record_consent

        typer.echo(json.dumps(record_consent(user_id, agreement_version, purposes).public(), indent=2))

    @privacy.command("withdraw")
    def withdraw(user_id: str = typer.Argument(...)) -> None:
        """Withdraw every purpose of a user's consent."""
        from courtside.privacy.consent import withdraw_consent

        rec = withdraw_consent(user_id)
        typer.echo(json.dumps(rec.public() if rec else {"status": "no record"}, indent=2))

    @privacy.command("pseudonym")
    def pseudonym(user_id: str = typer.Argument(...)) -> None:
        """Print a user's pseudonym (for support: find the user's rows in the lake)."""
        from courtside.privacy.pseudonym import pseudonymise

        typer.echo(pseudonymise(user_id))
