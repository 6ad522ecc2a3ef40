"""`solo60 services ...`: run the seven services locally and export their OpenAPI documents."""

from __future__ import annotations

import json
import os
import signal
import threading
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from solo60.services import DEFAULT_PORTS, SERVICE_NAMES

app = typer.Typer(help="Run the Solo60 services and export their OpenAPI documents.", no_args_is_help=True)
console = Console(stderr=True)


def _fail(message: str) -> None:
    console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code=2)


def _chosen(names: list[str] | None) -> list[str]:
    chosen = names or list(SERVICE_NAMES)
    unknown = [name for name in chosen if name not in SERVICE_NAMES]
    if unknown:
        _fail(f"unknown service {unknown[0]!r}; choose from {', '.join(SERVICE_NAMES)}")
    return list(dict.fromkeys(chosen))


def _ports(chosen: list[str], port_options: list[str], free_ports: bool) -> dict[str, int]:
    ports = {name: 0 if free_ports else DEFAULT_PORTS[name] for name in chosen}
    for option in port_options:
        name, separator, number = option.partition("=")
        if (
            not separator
            or name not in SERVICE_NAMES
            or not (number.isascii() and number.isdigit())
            or not 0 <= int(number) < 65536
        ):
            _fail(f"--port takes SERVICE=PORT with a known service and a port number, not {option!r}")
        ports[name] = int(number)
    return ports


@app.command("up")
def up(
    names: Annotated[list[str] | None, typer.Argument(help="Services to start (default: all seven).")] = None,
    port: Annotated[
        list[str], typer.Option("--port", "-p", help="SERVICE=PORT, repeatable; 0 picks a free port.")
    ] = [],  # noqa: B006 - typer reads the default
    free_ports: Annotated[bool, typer.Option("--free-ports", help="Give every service a free port.")] = False,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Print {service: base URL} as the first stdout line once all are ready."),
    ] = False,
    workers: Annotated[
        int, typer.Option("--workers", help="uvicorn worker processes per service (each its own process).")
    ] = 1,
    one_process: Annotated[
        bool,
        typer.Option("--one-process", help="Serve every service on one event loop in this process, as before."),
    ] = False,
) -> None:
    """Start services on 127.0.0.1, each in its own process, and keep them running until Ctrl-C or SIGTERM."""
    from solo60.environment import ConfigurationError
    from solo60.services.kit.access_log import configure_logging
    from solo60.services.kit.auth import calling_key_refused
    from solo60.services.kit.processes import service_processes
    from solo60.services.kit.server import ServiceStartError, running_services

    chosen = _chosen(names)
    ports = _ports(chosen, port, free_ports)
    if workers < 1:
        _fail(f"--workers takes a number of processes, at least 1, not {workers}")
    if one_process and workers > 1:
        _fail("--one-process serves every service on one event loop; it cannot also run --workers")
    configure_logging()
    try:
        refused = calling_key_refused(os.environ, chosen)
    except (ValueError, ConfigurationError) as error:  # a bad setting: the services' own start-up names it
        refused = None
        console.print(f"[yellow]warning:[/yellow] cannot check the service keys: {error}", highlight=False)
    if refused:
        console.print(f"[yellow]warning:[/yellow] {refused}", highlight=False, soft_wrap=True)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        started = (
            running_services(chosen, ports=ports)
            if one_process
            else service_processes(chosen, ports=ports, workers=workers)
        )
        with started as services:
            if as_json:
                print(json.dumps({name: service.url for name, service in services.items()}), flush=True)
            else:
                table = Table(title="Solo60 services (Ctrl-C stops them)")
                table.add_column("service")
                table.add_column("URL")
                table.add_column("docs")
                for service in services.values():
                    table.add_row(service.name, service.url, service.docs_url)
                Console().print(table)
            stop.wait()
            console.print("stopping services…")
    except ServiceStartError as error:
        _fail(str(error))


@app.command("openapi")
def openapi(
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory to write the documents to.")] = Path("openapi"),
) -> None:
    """Write each service's OpenAPI document, the merged internal one, and each producer's AsyncAPI document."""
    from solo60.contracts import all_contracts
    from solo60.contracts.events import PRODUCERS
    from solo60.contracts.events.asyncapi import asyncapi_document
    from solo60.contracts.openapi import merged_document, openapi_document

    out.mkdir(parents=True, exist_ok=True)
    contracts = all_contracts()
    for contract in contracts:
        path = out / f"{contract.service}.openapi.json"
        path.write_text(json.dumps(openapi_document(contract), indent=2) + "\n")
        console.print(f"wrote {path}")
    merged = out / "internal.openapi.json"
    merged.write_text(json.dumps(merged_document(contracts), indent=2) + "\n")
    console.print(f"wrote {merged} ({len(contracts)} services)")
    for producer in PRODUCERS:
        path = out / f"{producer}.asyncapi.json"
        path.write_text(json.dumps(asyncapi_document(producer), indent=2) + "\n")
        console.print(f"wrote {path}")


@app.command("states")
def states(
    names: Annotated[list[str] | None, typer.Argument(help="Services to list (default: all).")] = None,
) -> None:
    """List the provider states each service can set up for contract verification."""
    from solo60.services import definition

    for name in _chosen(names):
        table = Table(title=f"{name} provider states")
        table.add_column("state")
        table.add_column("params")
        table.add_column("what it sets up")
        table.add_column("fuzzing sets it up for")
        for state in definition(name).states.describe():
            params = ", ".join(f"{key}={spec.get('default', '…')}" for key, spec in state["params"].items())
            table.add_row(state["name"], params, state["description"], "\n".join(state["operations"]))
        Console().print(table)
