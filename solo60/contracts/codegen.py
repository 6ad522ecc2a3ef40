"""The client generator: the typed service clients' source, rendered from the contracts.

One module per contract lands in `solo60/clients/generated/` (committed to git) with a class
per service and an async method per route, whose signature is read from the route's models:
path parameters positional, the body as one model, query fields and `idempotency_key` as
keywords, the success model as the return type. A method only maps its arguments onto the
route; every behaviour of a call lives in `solo60.clients._base.ServiceClient`.

The output is laid out the way `ruff format` leaves it, so the files are ruff-clean as written.
It lives beside the contracts it reads and never imports `solo60.clients`: it must run even
when a contract change has broken the modules it is about to rewrite. `solo60 codegen`
(`solo60/cli/codegen.py`) writes them or checks that they are current.
"""

from __future__ import annotations

import enum
import inspect
import math
import sys
import textwrap
import types
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic.fields import FieldInfo

from solo60.contracts.route import Contract, Route

REPOSITORY = Path(__file__).resolve().parents[2]
GENERATED_DIR = REPOSITORY / "solo60" / "clients" / "generated"
BASE_CLIENT = ("solo60.clients._base", "ServiceClient")
GENERATED_PACKAGE = "solo60.clients.generated"
LINE_LENGTH = 120
INDENT = "    "

# pydantic's constrained datetimes are plain datetimes to a caller (and to mypy).
_PLAIN_TYPES = {
    ("pydantic.types", "AwareDatetime"): ("datetime", "datetime"),
    ("pydantic.types", "NaiveDatetime"): ("datetime", "datetime"),
    ("pydantic.types", "PastDatetime"): ("datetime", "datetime"),
    ("pydantic.types", "FutureDatetime"): ("datetime", "datetime"),
    ("pydantic.types", "PastDate"): ("datetime", "date"),
    ("pydantic.types", "FutureDate"): ("datetime", "date"),
}


class GenerationError(ValueError):
    """A contract declares something no client signature can express; the message says what."""


def client_class_name(service: str) -> str:
    return "".join(part.capitalize() for part in service.split("_")) + "Client"


def expected_files(contracts: Sequence[type[Contract]]) -> dict[str, str]:
    """File name -> source of every generated module, the package's `__init__.py` included."""
    files = {f"{contract.service}.py": render_client_module(contract) for contract in contracts}
    files["__init__.py"] = render_package_init(contracts)
    return files


def stale_files(directory: Path, contracts: Sequence[type[Contract]]) -> list[str]:
    """Generated files that are missing, differ from what the contracts give, or belong to no contract."""
    expected = expected_files(contracts)
    present = {path.name for path in directory.glob("*.py")} if directory.is_dir() else set()
    stale = [name for name, source in expected.items() if _read(directory / name) != source]
    return sorted(stale + [name for name in present - set(expected)])


def write_files(directory: Path, contracts: Sequence[type[Contract]]) -> list[str]:
    """Bring `directory` up to date; the names of the files written or removed."""
    directory.mkdir(parents=True, exist_ok=True)
    expected = expected_files(contracts)
    changed = []
    for name, source in expected.items():
        if _read(directory / name) != source:
            (directory / name).write_text(source)
            changed.append(name)
    for path in sorted(directory.glob("*.py")):
        if path.name not in expected:
            path.unlink()
            changed.append(path.name)
    return changed


def _read(path: Path) -> str | None:
    return path.read_text() if path.is_file() else None


# -- rendering -----------------------------------------------------------------------------------


def render_package_init(contracts: Sequence[type[Contract]]) -> str:
    imports = _Imports()
    names = [imports.name(f"{GENERATED_PACKAGE}.{c.service}", client_class_name(c.service)) for c in contracts]
    lines = [
        '"""The service clients, one module per contract: written by `solo60 codegen`, do not edit."""',
        "",
        *imports.render(),
        "",
        *_sequence_lines("", "__all__ = [", [_string(name) for name in sorted(names)], "]"),
    ]
    return "\n".join(lines) + "\n"


def render_client_module(contract: type[Contract]) -> str:
    """The source of the client module of one contract."""
    imports = _Imports()
    imports.name("__future__", "annotations")
    base = imports.name(*BASE_CLIENT)
    contract_name = imports.name(contract.__module__, contract.__name__)
    class_name = client_class_name(contract.service)
    source_file = contract.__module__.replace(".", "/") + ".py"
    summary = f"Calls the {contract.title}." + (f" {contract.description}" if contract.description else "")
    body = [
        f"class {class_name}({base}):",
        *_docstring(INDENT, summary),
        "",
        f"{INDENT}service = {_string(contract.service)}",
    ]
    for route in contract.routes():
        body += ["", *_method(route, contract_name, imports)]
    lines = [
        *_docstring("", f"The {contract.service} service's client, written by `solo60 codegen` from `{source_file}`."),
        "",
        *imports.render(),
        "",
        "",
        *body,
    ]
    return "\n".join(lines) + "\n"


@dataclass
class _Parameter:
    name: str
    annotation: str
    default: str | None = None

    def __str__(self) -> str:
        return f"{self.name}: {self.annotation}" + (f" = {self.default}" if self.default is not None else "")


def _method(route: Route, contract_name: str, imports: _Imports) -> list[str]:
    positional: list[_Parameter] = []
    keywords: list[_Parameter] = []
    arguments = [f"{contract_name}.{route.name}"]
    if route.path_params is not None:
        fields = route.path_params.model_fields
        positional += [_Parameter(name, _annotation(field.annotation, imports)) for name, field in fields.items()]
        arguments.append(_mapping("path", fields))
    if route.body is not None:
        positional.append(_Parameter("body", imports.name(route.body.__module__, route.body.__qualname__)))
        arguments.append("body=body")
    if route.query is not None:
        fields = route.query.model_fields
        keywords += [_query_parameter(name, field, imports) for name, field in fields.items()]
        arguments.append(_mapping("query", fields))
    if route.idempotency_key:
        keywords.append(_Parameter("idempotency_key", "str | None", "None"))
        arguments.append("idempotency_key=idempotency_key")
    _refuse_clashes(route, [*positional, *keywords])

    parameters = ["self", *map(str, positional), *(["*", *map(str, keywords)] if keywords else [])]
    returns = _returns(route, imports)
    lines = _sequence_lines(INDENT, f"async def {route.name}(", parameters, f") -> {returns}:")
    text = route.summary.rstrip(".") + "."
    if route.description:
        text += "\n\n" + route.description
    lines += _docstring(INDENT * 2, text)
    lines += _sequence_lines(INDENT * 2, "return await self._call(", arguments, ")")
    return lines


def _query_parameter(name: str, field: FieldInfo, imports: _Imports) -> _Parameter:
    annotation = _annotation(field.annotation, imports)
    if field.is_required():
        return _Parameter(name, annotation)
    default = _literal(field.default, imports) if field.default_factory is None else None
    if default is not None:
        return _Parameter(name, annotation, default)
    # No literal shows this default (a factory, an object): None leaves it to the model.
    optional = annotation if annotation.split(" | ")[-1] == "None" else f"{annotation} | None"
    return _Parameter(name, optional, "None")


def _mapping(keyword: str, fields: dict[str, FieldInfo]) -> str:
    return f"{keyword}={{" + ", ".join(f"{_string(name)}: {name}" for name in fields) + "}"


def _refuse_clashes(route: Route, parameters: Iterable[_Parameter]) -> None:
    seen = {"self"}
    for parameter in parameters:
        if parameter.name in seen:
            raise GenerationError(f"{route!r}: two inputs of the client method would be called {parameter.name!r}")
        seen.add(parameter.name)


def _returns(route: Route, imports: _Imports) -> str:
    models = [route.responses[status] for status in sorted(route.responses) if 200 <= status < 300]
    names = [imports.name(model.__module__, model.__qualname__) if model else "None" for model in models]
    unique = list(dict.fromkeys(names))
    if "None" in unique:  # `X | None` reads better than `None | X`
        unique = [name for name in unique if name != "None"] + ["None"]
    return " | ".join(unique)


def _annotation(hint: Any, imports: _Imports) -> str:
    """Source text for a type, importing what it names."""
    if hint is None or hint is type(None):
        return "None"
    if hint is Any:
        return imports.name("typing", "Any")
    origin, arguments = typing.get_origin(hint), typing.get_args(hint)
    if origin is Annotated:
        return _annotation(arguments[0], imports)
    if origin in (typing.Union, types.UnionType):
        rendered = [_annotation(argument, imports) for argument in arguments]
        if "None" in rendered:
            rendered = [text for text in rendered if text != "None"] + ["None"]
        return " | ".join(rendered)
    if origin is typing.Literal:
        literal = imports.name("typing", "Literal")
        return f"{literal}[{', '.join(_literal_strict(value, imports) for value in arguments)}]"
    if origin is not None:
        container = _annotation(origin, imports)
        inner = ", ".join("..." if argument is Ellipsis else _annotation(argument, imports) for argument in arguments)
        return f"{container}[{inner}]" if arguments else container
    if isinstance(hint, type):
        if hint.__module__ == "builtins":
            return hint.__qualname__
        module, name = _PLAIN_TYPES.get((hint.__module__, hint.__qualname__), (hint.__module__, hint.__qualname__))
        if "<" in name or "." in name:
            raise GenerationError(f"{hint!r} is not importable by name; define it at module level")
        return imports.name(module, name)
    raise GenerationError(f"cannot write the type {hint!r} in a client signature")


def _literal(value: Any, imports: _Imports) -> str | None:
    """Source text for a default value, or None when no plain literal shows it."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, enum.Enum):
        return f"{imports.name(type(value).__module__, type(value).__qualname__)}.{value.name}"
    if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    return None


def _literal_strict(value: Any, imports: _Imports) -> str:
    text = _literal(value, imports)
    if text is None:
        raise GenerationError(f"cannot write {value!r} as a literal")
    return text


def _string(value: str) -> str:
    """A string literal the way ruff format writes it: double quotes unless that needs more escapes."""
    text = repr(value)
    if text.startswith("'") and '"' not in value:
        return '"' + text[1:-1].replace("\\'", "'") + '"'
    return text


def _docstring(indent: str, text: str) -> list[str]:
    """A docstring keeping the text's own lines (tables, lists), wrapping only those too long."""
    text = inspect.cleandoc(text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"'))
    one_line = f'{indent}"""{text}"""'
    if "\n" not in text and len(one_line) <= LINE_LENGTH and not text.endswith('"'):
        return [one_line]
    width = LINE_LENGTH - len(indent) - 3  # room for closing quotes, which ruff joins to a single line of text
    lines: list[str] = []
    for number, text_line in enumerate(text.splitlines()):
        line = ('"""' if number == 0 else "") + text_line.rstrip()
        if len(line) <= width:
            lines.append(line)
            continue
        lead = " " * (len(text_line) - len(text_line.lstrip()))
        lines += textwrap.wrap(
            line, width=width, subsequent_indent=lead, break_long_words=False, break_on_hyphens=False
        )
    return [f"{indent}{line}" if line else "" for line in lines] + [f'{indent}"""']


def _sequence_lines(indent: str, opening: str, items: Sequence[str], closing: str) -> list[str]:
    """`opening item, item closing` on one line when it fits, else one item per line with a trailing comma."""
    one_line = f"{indent}{opening}{', '.join(items)}{closing}"
    if len(one_line) <= LINE_LENGTH:
        return [one_line]
    inner = indent + INDENT
    lines = [f"{indent}{opening}"]
    for item in items:
        if item == "*":
            lines.append(f"{inner}*,")
        else:
            lines += _item_lines(inner, item)
    return [*lines, f"{indent}{closing}"]


def _item_lines(indent: str, item: str) -> list[str]:
    if len(f"{indent}{item},") <= LINE_LENGTH or not item.endswith("}") or "={" not in item:
        return [f"{indent}{item},"]
    keyword, entries = item[:-1].split("={", 1)
    return _sequence_lines(indent, f"{keyword}={{", entries.split(", "), "},")


class _Imports:
    """The names a module imports, rendered in the order and shape ruff's isort rules want."""

    def __init__(self) -> None:
        self._sources: dict[str, tuple[str, str]] = {}

    def name(self, module: str, name: str) -> str:
        known = self._sources.setdefault(name, (module, name))
        if known != (module, name):
            raise GenerationError(f"{module}.{name} and {known[0]}.{name} share a name; rename one of them")
        return name

    def render(self) -> list[str]:
        by_module: dict[str, list[str]] = {}
        for module, name in self._sources.values():
            by_module.setdefault(module, []).append(name)
        sections: list[list[str]] = [[], [], [], []]
        for module in sorted(by_module, key=str.lower):
            names = sorted(by_module[module], key=_member_order)
            line = f"from {module} import {', '.join(names)}"
            if len(line) <= LINE_LENGTH:
                sections[_section(module)].append(line)
            else:
                sections[_section(module)] += [f"from {module} import (", *(f"{INDENT}{n}," for n in names), ")"]
        lines: list[str] = []
        for section in sections:
            if section:
                lines += [*([""] if lines else []), *section]
        return lines


def _section(module: str) -> int:
    """isort's sections: future, standard library, third party, first party (what lives in this repository)."""
    root = module.split(".")[0]
    if root == "__future__":
        return 0
    if root in sys.stdlib_module_names:
        return 1
    first_party = (REPOSITORY / root).is_dir() or (REPOSITORY / f"{root}.py").is_file()
    return 3 if first_party else 2


def _member_order(name: str) -> tuple[int, str, str]:
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return kind, name.lower(), name
