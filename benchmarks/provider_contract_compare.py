"""Our provider-contract comparator against PactFlow's (`@pactflow/openapi-pact-comparator`),
as whole processes on the same inputs, in one run.

Two workloads:

* the project's 11 pacts against their providers' generated OpenAPI documents (one process per
  provider, given all of that provider's pacts, as a pipeline would run it);
* one synthetic pact of 3,000+ interactions against a synthetic document of 750 operations
  (nested objects, enums, formats, arrays, path, query and header parameters, security), about
  1 % of the interactions incompatible on purpose.

Each command runs `--repeat` times, interleaved; the table shows medians and ours / theirs.
"ours (module)" is `python -m broker.provider_contracts.comparison`, the comparator as the
broker installs it; "ours (solo60)" is `solo60 contracts compare`, the console script, which
hands these arguments to the same parser before importing Typer or any other command (it used
to import every command's module first: 3.71x PactFlow's time on the project's pacts). Both
comparators must agree on every result code, or the benchmark says so and exits 1. Goal: ours
<= 0.5x theirs on both workloads.

The npm package is installed into a temporary prefix on first use (`npm install --prefix`); the
pacts are generated with `pytest consumers -q` when `pacts/` has none.

    python benchmarks/provider_contract_compare.py [--repeat 7] [--interactions 3000]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
OPC_VERSION = "2.3.1"
OPC_PREFIX = Path(tempfile.gettempdir()) / f"solo60-bench-opc-{OPC_VERSION}"
OPC_CLI = OPC_PREFIX / "node_modules/@pactflow/openapi-pact-comparator/dist/cli.cjs"
console = Console(width=160)


def ensure_opc() -> Path:
    if not OPC_CLI.exists():
        console.print(f"installing @pactflow/openapi-pact-comparator@{OPC_VERSION} into {OPC_PREFIX}")
        package = f"@pactflow/openapi-pact-comparator@{OPC_VERSION}"
        subprocess.run(["npm", "install", "--silent", "--prefix", str(OPC_PREFIX), package], check=True)
    return OPC_CLI


def ensure_pacts() -> list[Path]:
    pacts = sorted((ROOT / "pacts").glob("*.json"))
    if not pacts:
        console.print("generating the pacts: pytest consumers -q")
        subprocess.run([sys.executable, "-m", "pytest", "consumers", "-q", "-p", "no:randomly"], cwd=ROOT, check=True)
        pacts = sorted((ROOT / "pacts").glob("*.json"))
    return pacts


def write_documents(directory: Path) -> None:
    from solo60.contracts import all_contracts
    from solo60.contracts.openapi import openapi_document

    for contract in all_contracts():
        (directory / f"{contract.service}.openapi.json").write_text(json.dumps(openapi_document(contract)))


# --- the synthetic workload ------------------------------------------------------------------


def synthetic_document(groups: int) -> dict:
    item = {
        "type": "object",
        "required": ["id", "name", "price", "status"],
        "properties": {
            "id": {"type": "string", "pattern": "^[a-z0-9-]{1,40}$"},
            "name": {"type": "string", "maxLength": 80},
            "price": {"type": "number", "minimum": 0},
            "quantity": {"type": "integer", "minimum": 0, "maximum": 10000},
            "status": {"type": "string", "enum": ["ACTIVE", "PAUSED", "RETIRED"]},
            "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 10},
            "createdAt": {"type": "string", "format": "date-time"},
            "owner": {"anyOf": [{"$ref": "#/components/schemas/Person"}, {"type": "null"}]},
            "dimensions": {
                "type": "object",
                "properties": {"width": {"type": "number"}, "height": {"type": "number"}},
            },
        },
    }
    person = {
        "type": "object",
        "required": ["id", "email"],
        "properties": {
            "id": {"type": "string"},
            "email": {"type": "string", "format": "email"},
            "displayName": {"type": "string"},
        },
    }
    new_item = {
        "type": "object",
        "required": ["name", "price"],
        "properties": {k: item["properties"][k] for k in ("name", "price", "quantity", "status", "tags")},
    }
    page = {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}},
            "next": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        },
    }
    text = {"type": "string"}
    error = {"type": "object", "required": ["error"], "properties": {"error": text, "message": text}}

    def response(schema: str, description: str = "ok") -> dict:
        return {
            "description": description,
            "headers": {"x-correlation-id": {"schema": {"type": "string"}}},
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
        }

    errors = {"400": response("Error"), "401": response("Error"), "404": response("Error")}
    slug = {"type": "string", "pattern": "^[a-z0-9-]+$"}
    item_id = {"name": "itemId", "in": "path", "required": True, "schema": slug}
    paths = {}
    for group in range(groups):
        base = f"/stores/{group}/items"
        paths[base] = {
            "get": {
                "parameters": [
                    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                    {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["ACTIVE", "PAUSED"]}},
                    {"name": "tags", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}},
                    {"$ref": "#/components/parameters/CorrelationId"},
                ],
                "responses": {"200": response("Page"), **errors},
            },
            "post": {
                "parameters": [{"$ref": "#/components/parameters/CorrelationId"}],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewItem"}}},
                },
                "responses": {"201": response("Item"), **errors},
            },
        }
        paths[f"{base}/{{itemId}}"] = {
            "parameters": [item_id],
            "get": {
                "parameters": [{"name": "expand", "in": "query", "schema": {"type": "boolean"}}],
                "responses": {"200": response("Item"), **errors},
            },
            "put": {
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewItem"}}}},
                "responses": {"200": response("Item"), **errors},
            },
            "delete": {"responses": {"204": {"description": "gone"}, **errors}},
        }
    return {
        "openapi": "3.1.0",
        "info": {"title": "synthetic", "version": "1"},
        "security": [{"ApiKey": []}],
        "paths": paths,
        "components": {
            "schemas": {"Item": item, "Person": person, "NewItem": new_item, "Page": page, "Error": error},
            "parameters": {"CorrelationId": {"name": "x-correlation-id", "in": "header", "schema": {"type": "string"}}},
            "securitySchemes": {"ApiKey": {"type": "apiKey", "in": "header", "name": "x-api-key"}},
        },
    }


def _item(rng: random.Random, index: int) -> dict:
    item = {
        "id": f"item-{index}",
        "name": f"Item {index}",
        "price": round(rng.uniform(0, 100), 2),
        "quantity": rng.randint(0, 50),
        "status": rng.choice(["ACTIVE", "PAUSED", "RETIRED"]),
        "tags": rng.sample(["red", "blue", "big", "small"], 2),
        "createdAt": "2025-01-02T03:04:05Z",
        "owner": {"id": "p1", "email": "owner@example.com"} if index % 2 else None,
        "dimensions": {"width": 1.5, "height": 2},
    }
    if index % 97 == 0:
        item["discount"] = 5  # a field the document never declares: response.body.incompatible
    return item


def synthetic_pact(groups: int, count: int) -> dict:
    rng = random.Random(7)
    interactions = []
    for index in range(count):
        group, kind = index % groups, (index // groups) % 6
        headers = {"x-api-key": ["key"], "x-correlation-id": ["c-1"]}
        json_headers = {"Content-Type": ["application/json"]}
        request: dict = {"method": "GET", "path": f"/stores/{group}/items/item-{index}", "headers": headers}
        response: dict = {"status": 200, "headers": json_headers, "body": {"content": _item(rng, index)}}
        if kind == 1:
            request = {
                "method": "GET",
                "path": f"/stores/{group}/items",
                "query": {"page": [str(index % 5 + 1)], "status": ["ACTIVE"], "tags": ["red,blue"]},
                "headers": headers,
            }
            response["body"] = {"content": {"items": [_item(rng, index), _item(rng, index + 1)], "next": None}}
        elif kind == 2:
            request = {
                "method": "POST",
                "path": f"/stores/{group}/items",
                "headers": {**headers, "Content-Type": ["application/json"]},
                "body": {"content": {"name": "New", "price": 3.5, "tags": ["red"]}, "contentType": "application/json"},
            }
            response["status"] = 201
        elif kind == 3:
            request["method"] = "PUT"
            request["headers"] = {**headers, "Content-Type": ["application/json"]}
            request["body"] = {"content": {"name": "Renamed", "price": 4}, "contentType": "application/json"}
        elif kind == 4:
            request["method"] = "DELETE"
            response = {"status": 204}
        else:
            request["path"] = f"/stores/{group}/items/missing-{index}"
            request["query"] = {"expand": ["true"]}
            response = {"status": 404, "headers": json_headers, "body": {"content": {"error": "NOT_FOUND"}}}
        for side in (request, response):
            if "body" in side:
                side["body"] = {**side["body"], "contentType": "application/json", "encoded": False}
        interactions.append(
            {
                "type": "Synchronous/HTTP",
                "description": f"interaction {index}",
                "providerStates": [{"name": f"state {index % 13}"}],
                "request": request,
                "response": response,
            }
        )
    return {
        "consumer": {"name": "synthetic-consumer"},
        "provider": {"name": "synthetic-provider"},
        "interactions": interactions,
        "metadata": {"pactSpecification": {"version": "4.0"}},
    }


# --- running and timing ----------------------------------------------------------------------


def run(command: list[str]) -> tuple[float, list[str]]:
    """Elapsed seconds and stdout lines. Output goes to a file: node's `process.exit` cuts a
    pipe's pending output short, its writes to a file are synchronous."""
    with tempfile.TemporaryFile(mode="w+") as output:
        started = time.perf_counter()
        done = subprocess.run(command, stdout=output, stderr=subprocess.PIPE, text=True, cwd=ROOT, timeout=300)
        elapsed = time.perf_counter() - started
        output.seek(0)
        lines = output.read().splitlines()
    if done.returncode >= 200 or (done.returncode and not lines):
        raise SystemExit(f"{' '.join(command[:3])} failed ({done.returncode}): {done.stderr.strip()[:500]}")
    return elapsed, lines


def codes(lines: list[str]) -> Counter[tuple[str, str]]:
    return Counter((r["code"], r["mockDetails"]["location"]) for line in lines for r in json.loads(line))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--interactions", type=int, default=3000)
    arguments = parser.parse_args()
    if arguments.repeat < 1 or arguments.interactions < 1:
        parser.error("--repeat and --interactions must be at least 1")
    opc = ensure_opc()
    pacts = ensure_pacts()
    workdir = Path(tempfile.mkdtemp(prefix="solo60-bench-contracts-"))
    write_documents(workdir)
    by_provider: dict[str, list[str]] = {}
    for pact in pacts:
        provider = json.loads(pact.read_text())["provider"]["name"]
        by_provider.setdefault(provider, []).append(str(pact))
    groups = 150
    (workdir / "synthetic.openapi.json").write_text(json.dumps(synthetic_document(groups)))
    (workdir / "synthetic-pact.json").write_text(json.dumps(synthetic_pact(groups, arguments.interactions)))
    solo60 = str(Path(sys.executable).with_name("solo60"))
    module = [sys.executable, "-m", "broker.provider_contracts.comparison"]
    workloads = {
        f"{len(pacts)} project pacts, {len(by_provider)} documents": [
            (str(workdir / f"{provider}.openapi.json"), files) for provider, files in sorted(by_provider.items())
        ],
        f"1 pact of {arguments.interactions:,} interactions": [
            (str(workdir / "synthetic.openapi.json"), [str(workdir / "synthetic-pact.json")])
        ],
    }
    commands = {
        "ours (module)": lambda oas, files: [*module, "--oas", oas, "--json", *files],
        "ours (solo60)": lambda oas, files: [solo60, "contracts", "compare", "--oas", oas, "--json", *files],
        "theirs (node)": lambda oas, files: ["node", str(opc), "--oas", oas, *files],
    }
    table = Table(title=f"Provider-contract comparison, whole processes, median of {arguments.repeat} runs")
    for column in ("workload", *commands, "module / theirs", "solo60 / theirs", "same results"):
        table.add_column(column, justify="right")
    failed = False
    for workload, jobs in workloads.items():
        timings: dict[str, list[float]] = {name: [] for name in commands}
        outputs: dict[str, list[str]] = {}
        for attempt in range(arguments.repeat):
            console.print(f"[dim]{workload}: round {attempt + 1}/{arguments.repeat}[/dim]")
            for name, build in commands.items():
                total, lines = 0.0, []
                for oas, files in jobs:
                    elapsed, printed = run(build(oas, files))
                    total += elapsed
                    lines += printed
                timings[name].append(total)
                outputs[name] = lines
        medians = {name: statistics.median(values) for name, values in timings.items()}
        reference = codes(outputs["theirs (node)"])
        same = all(codes(outputs[name]) == reference for name in ("ours (module)", "ours (solo60)"))
        failed |= not same
        findings = sum(reference.values())
        table.add_row(
            workload,
            *(f"{medians[name]:.3f} s" for name in commands),
            f"{medians['ours (module)'] / medians['theirs (node)']:.2f}x",
            f"{medians['ours (solo60)'] / medians['theirs (node)']:.2f}x",
            f"{'yes' if same else '[red]NO[/red]'} ({findings} results)",
        )
    console.print(table)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
