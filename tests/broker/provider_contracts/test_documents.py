"""Loading documents: OpenAPI 3.0 and 3.1, JSON and YAML, from files and URLs, with `$ref`s to
components and to other files; and the one-line errors for documents that cannot be used."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from broker.provider_contracts.comparison import Comparator, DocumentError, document_from_text, load_document
from tests.broker.provider_contracts.shop import get_item, pact, shop

OPENAPI_30_YAML = """
openapi: 3.0.3
info: {title: shop, version: "1"}
security: [{ApiKey: []}]
paths:
  /items/{itemId}:
    parameters:
      - $ref: '#/components/parameters/ItemId'
    get:
      parameters:
        - {name: expand, in: query, schema: {type: boolean}}
        - {name: x-tenant, in: header, required: true, schema: {type: string}}
      responses:
        '200':
          description: the item
          headers: {x-rate: {schema: {type: integer}}}
          content:
            application/json:
              schema: {$ref: 'common.yaml#/Item'}
components:
  parameters:
    ItemId: {name: itemId, in: path, required: true, schema: {type: integer, minimum: 0, exclusiveMinimum: true}}
  securitySchemes:
    ApiKey: {type: apiKey, in: header, name: x-api-key}
"""

COMMON_YAML = """
Item:
  type: object
  required: [id, name]
  properties:
    id: {type: integer}
    name: {type: string}
    owner:
      $ref: '#/Person'
Person:
  type: object
  nullable: true
  properties:
    email: {type: string, format: email}
"""


@pytest.fixture
def openapi_30(tmp_path: Path) -> Path:
    (tmp_path / "common.yaml").write_text(COMMON_YAML)
    (tmp_path / "shop.yaml").write_text(OPENAPI_30_YAML)
    return tmp_path / "shop.yaml"


def codes(comparator: Comparator, **changes: object) -> list[str]:
    return [result.code for result in comparator.compare(pact(get_item(**changes)))]


def test_an_openapi_3_0_yaml_document_with_refs_to_another_file(openapi_30: Path) -> None:
    comparator = Comparator(load_document(str(openapi_30)))
    assert comparator.document.version == "3.0"
    assert codes(comparator, response_body={"id": 1, "name": "Lamp", "owner": None}) == []  # nullable
    assert codes(comparator, response_body={"id": 1, "name": "Lamp", "owner": {"email": "a@b.example"}}) == []
    assert codes(comparator, response_body={"id": 1, "name": "Lamp", "owner": {"phone": "1"}}) == [
        "response.body.incompatible"  # a field of the schema in the other file that it never declares
    ]


def test_a_3_0_boolean_exclusive_minimum_is_honoured(openapi_30: Path) -> None:
    comparator = Comparator(load_document(str(openapi_30)))
    assert codes(comparator, path="/items/1") == []
    assert codes(comparator, path="/items/0") == ["request.path-or-method.unknown"]


def test_an_openapi_3_1_json_document_and_the_same_as_yaml(tmp_path: Path) -> None:
    import yaml

    (tmp_path / "shop.json").write_text(json.dumps(shop()))
    (tmp_path / "shop.yaml").write_text(yaml.safe_dump(shop()))
    for name in ("shop.json", "shop.yaml"):
        comparator = Comparator(load_document(str(tmp_path / name)))
        assert comparator.document.version == "3.1"
        assert codes(comparator) == []
        assert codes(comparator, response_body={"id": "one"}) == ["response.body.incompatible"]


@pytest.fixture
def served(openapi_30: Path) -> Iterator[str]:
    handler = partial(SimpleHTTPRequestHandler, directory=str(openapi_30.parent))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_document_at_a_url_with_a_relative_ref_to_another_url(served: str) -> None:
    comparator = Comparator(load_document(f"{served}/shop.yaml"))
    assert codes(comparator, response_body={"id": 1, "name": "Lamp", "owner": {"phone": "1"}}) == [
        "response.body.incompatible"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"swagger": "2.0", "paths": {}}', "is Swagger 2.0; convert it to OpenAPI 3.0 or 3.1"),
        ('{"openapi": "4.0.0", "paths": {}}', "is not OpenAPI 3.0 or 3.1 (its 'openapi' field is '4.0.0')"),
        ("[1, 2]", "is not an OpenAPI document"),
        ("openapi: [unclosed", "is neither JSON nor YAML"),
        ('{"openapi": "3.1.0", "paths": []}', "has a 'paths' that is not an object"),
    ],
)
def test_documents_that_cannot_be_used_are_refused_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(DocumentError, match=message.replace("(", r"\(").replace(")", r"\)")):
        document_from_text(text)


def test_a_ref_that_resolves_nowhere_names_the_ref() -> None:
    document = shop()
    document["paths"]["/items/{itemId}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] = {
        "$ref": "#/components/schemas/Nothing"
    }
    comparator = Comparator(document_from_text(json.dumps(document)))
    with pytest.raises(DocumentError, match="'#/components/schemas/Nothing' does not resolve"):
        comparator.compare(pact(get_item()))


def test_stored_text_may_not_name_other_files() -> None:
    """The broker compares stored documents: it never reads files or URLs a document names."""
    with pytest.raises(DocumentError, match="names another document; publish a bundled document instead"):
        document_from_text(OPENAPI_30_YAML)


def test_a_missing_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match=r"cannot read OpenAPI document .*nothing.yaml: No such file"):
        load_document(str(tmp_path / "nothing.yaml"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda doc: doc["components"]["schemas"]["Item"]["properties"]["name"].update(pattern="["),
            "a schema of the OpenAPI document is not valid JSON Schema",
        ),
        (
            lambda doc: doc["paths"]["/items/{itemId}"]["get"].update(responses=["200"]),
            "the OpenAPI document is malformed where GET /items/1",
        ),
    ],
)
def test_a_malformed_document_is_an_error_naming_where_not_a_crash(change: Any, message: str) -> None:
    document = shop()
    change(document)
    comparator = Comparator(document_from_text(json.dumps(document)))
    with pytest.raises(DocumentError, match=message):
        comparator.compare(pact(get_item()))
