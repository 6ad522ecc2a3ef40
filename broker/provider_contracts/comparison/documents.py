"""Loading the OpenAPI document: read it from a file, a URL or stored text, parse JSON or YAML,
check it is OpenAPI 3.0 or 3.1, and make every `$ref` local.

References to other files or URLs are bundled into the document once, under
`x-solo60-bundled`, and rewritten to point there; after loading, every `$ref` is a JSON pointer
into the one document, which is what the steps and the JSON Schema validator resolve.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin

from broker.provider_contracts.comparison.errors import DocumentError

BUNDLED = "x-solo60-bundled"
URL_TIMEOUT_SECONDS = 30
_EXTERNAL_REF = re.compile(r"""\$ref["']?\s*:\s*["']?(?!#)""")

Retrieve = Callable[[str], Any]


@dataclass
class Document:
    """A parsed OpenAPI 3.x document whose `$ref`s all point inside it."""

    content: dict[str, Any]
    version: str  # "3.0" or "3.1"
    location: str = ""
    _targets: dict[str, Any] = field(default_factory=dict, repr=False)

    def resolve(self, ref: str) -> Any:
        """The value a local `$ref` (`#/components/schemas/X`) points at."""
        if ref in self._targets:
            return self._targets[ref]
        if not ref.startswith("#"):
            raise DocumentError(f"$ref {ref!r} points outside the document and was not bundled")
        node: Any = self.content
        for raw in ref[1:].split("/")[1:] if ref != "#" else []:
            part = unquote(raw).replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                raise DocumentError(f"$ref {ref!r} does not resolve in the OpenAPI document")
        self._targets[ref] = node
        return node

    def deref(self, node: Any) -> Any:
        """`node` with its chain of `$ref`s followed (a cycle of references is an error)."""
        seen: set[str] = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if ref in seen:
                raise DocumentError(f"$ref {ref!r} refers to itself")
            seen.add(ref)
            node = self.resolve(ref)
        return node


def read_text(source: str, what: str) -> tuple[str, str]:
    """The text at a path or an http(s) URL, and the URI relative references resolve against."""
    if source.startswith(("http://", "https://")):
        from urllib.error import URLError
        from urllib.request import urlopen

        try:
            with urlopen(source, timeout=URL_TIMEOUT_SECONDS) as response:
                return response.read().decode("utf-8"), source
        except (URLError, OSError, UnicodeDecodeError, ValueError) as problem:
            raise DocumentError(f"cannot read {what} {source}: {problem}") from None
    path = Path(source)
    try:
        return path.read_text(encoding="utf-8"), path.resolve().as_uri()
    except (OSError, UnicodeDecodeError) as problem:
        reason = problem.strerror if isinstance(problem, OSError) and problem.strerror else str(problem)
        raise DocumentError(f"cannot read {what} {source}: {reason}") from None


def parse_text(text: str, what: str) -> Any:
    """JSON, or else YAML (JSON first: it is the common case and 20 times faster)."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as problem:
        raise DocumentError(f"{what} is neither JSON nor YAML: {problem}") from None


def openapi_version(content: Any, what: str) -> str:
    if not isinstance(content, dict):
        raise DocumentError(f"{what} is not an OpenAPI document (expected an object at the top)")
    if "swagger" in content:
        raise DocumentError(f"{what} is Swagger {content.get('swagger')}; convert it to OpenAPI 3.0 or 3.1")
    version = content.get("openapi")
    if not isinstance(version, str) or not version.startswith(("3.0", "3.1")):
        raise DocumentError(f"{what} is not OpenAPI 3.0 or 3.1 (its 'openapi' field is {version!r})")
    paths = content.get("paths", {})
    if not isinstance(paths, dict):
        raise DocumentError(f"{what} has a 'paths' that is not an object")
    return version[:3]


def document_from_text(text: str, location: str = "", *, retrieve: Retrieve | None = None) -> Document:
    """The document in `text`; `retrieve` loads other files a `$ref` names (none: such a ref is
    an error, which is what the broker wants for stored documents)."""
    what = f"OpenAPI document {location}".strip() if location else "the OpenAPI document"
    content = parse_text(text, what)
    version = openapi_version(content, what)
    if _EXTERNAL_REF.search(text):
        _bundle(content, location, retrieve)
    return Document(content, version, location)


def load_document(source: str) -> Document:
    """The OpenAPI document at a path or URL, with references to other files bundled in."""
    text, uri = read_text(source, "OpenAPI document")

    def retrieve(target: str) -> Any:
        local = target.removeprefix("file://") if target.startswith("file://") else target
        found, _ = read_text(unquote(local) if target.startswith("file://") else local, "referenced document")
        return parse_text(found, f"referenced document {target}")

    document = document_from_text(text, uri, retrieve=retrieve)
    document.location = source
    return document


def _bundle(root: dict[str, Any], root_uri: str, retrieve: Retrieve | None) -> None:
    """Rewrite every `$ref` to a pointer into `root`, copying other documents under BUNDLED."""
    keys: dict[str, str] = {}
    bundled: dict[str, Any] = {}
    pending: list[tuple[Any, str, str]] = [(root, root_uri, "")]  # (node, base URI, pointer prefix)
    while pending:
        node, base, prefix = pending.pop()
        stack = [node]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                ref = item.get("$ref")
                if isinstance(ref, str):
                    target, fragment = urldefrag(urljoin(base, ref)) if base else urldefrag(ref)
                    if target in ("", base):
                        item["$ref"] = f"#{prefix}{fragment}"
                    elif target == root_uri:
                        item["$ref"] = f"#{fragment}"
                    else:
                        if target not in keys:
                            if retrieve is None:
                                raise DocumentError(
                                    f"$ref {ref!r} names another document; publish a bundled document instead"
                                )
                            keys[target] = str(len(keys))
                            bundled[keys[target]] = retrieve(target)
                            pending.append((bundled[keys[target]], target, f"/{BUNDLED}/{keys[target]}"))
                        item["$ref"] = f"#/{BUNDLED}/{keys[target]}{fragment}"
                stack.extend(value for key, value in item.items() if key != "$ref")
            elif isinstance(item, list):
                stack.extend(item)
    if bundled:
        root[BUNDLED] = bundled
