"""JSON Schemas for request and response bodies, shared by validation docs and OpenAPI.

Name patterns mirror `broker.names` exactly, so anything the document allows the broker
accepts and anything it forbids the broker refuses.
"""

from __future__ import annotations

from typing import Any

from broker.webhooks.host_guard import WEBHOOK_URL_PATTERN
from broker.webhooks.service import HEADER_NAME_PATTERN, HEADER_VALUE_PATTERN

# `(?![\s\S]*[\x00-\x1f])` first: with no control character anywhere, `$` cannot stop before a
# trailing newline (which Python's `$` would otherwise allow).
NO_CONTROL = r"(?![\s\S]*[\x00-\x1f\x7f])"
NAME_PATTERN = r"^" + NO_CONTROL + r"(?!\.{1,2}$)(?=\S)[\s\S]*(?<=\S)$"
ENVIRONMENT_NAME_PATTERN = r"^" + NO_CONTROL + r"(?!\.{1,2}$)[^\s/]+$"

NAME: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": 255, "pattern": NAME_PATTERN}
ENVIRONMENT_NAME: dict[str, Any] = {
    "type": "string",
    "minLength": 1,
    "maxLength": 255,
    "pattern": ENVIRONMENT_NAME_PATTERN,
}
NULLABLE_NAME: dict[str, Any] = {"anyOf": [NAME, {"type": "null"}]}
NOT_BLANK: dict[str, Any] = {"type": "string", "minLength": 1, "pattern": r"\S"}
URL_STRING: dict[str, Any] = {"type": "string", "maxLength": 2048, "pattern": r"^(?![\s\S]*[\x00-\x1f])"}
UUID: dict[str, Any] = {"type": "string", "pattern": r"^[A-Za-z0-9_-]{1,64}$"}
WEBHOOK_UUID: dict[str, Any] = {"type": "string", "pattern": r"^[A-Za-z0-9_-]{16,64}$"}

LINK: dict[str, Any] = {"type": "object", "properties": {"href": {"type": "string"}}, "required": ["href"]}
HAL: dict[str, Any] = {"type": "object", "properties": {"_links": {"type": "object"}}}

ERRORS: dict[str, Any] = {
    "type": "object",
    "required": ["errors"],
    "properties": {
        "errors": {
            "anyOf": [
                {"type": "array", "items": {"type": "string"}},
                {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
            ]
        },
        "notices": {
            "type": "array",
            "items": {"type": "object", "properties": {"type": {"type": "string"}, "text": {"type": "string"}}},
        },
    },
}

PACTICIPANT_BODY: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"description": "Ignored: the name comes from the URL (a pacticipant cannot be renamed)."},
        "displayName": NULLABLE_NAME,
        "mainBranch": NULLABLE_NAME,
        "repositoryUrl": {"anyOf": [URL_STRING, {"type": "null"}]},
        "repositoryName": NULLABLE_NAME,
        "repositoryNamespace": NULLABLE_NAME,
    },
}
PACTICIPANT_CREATE = {
    **PACTICIPANT_BODY,
    "required": ["name"],
    "properties": {**PACTICIPANT_BODY["properties"], "name": NAME},
}

PACTICIPANT: dict[str, Any] = {
    "type": "object",
    "required": ["name", "_links"],
    "properties": {
        "name": {"type": "string"},
        "displayName": {"type": ["string", "null"]},
        "mainBranch": {"type": ["string", "null"]},
        "repositoryUrl": {"type": ["string", "null"]},
        "createdAt": {"type": ["string", "null"]},
        "updatedAt": {"type": ["string", "null"]},
        "_links": {"type": "object", "required": ["self"]},
    },
}
PACTICIPANTS: dict[str, Any] = {
    "type": "object",
    "required": ["pacticipants", "_embedded", "_links"],
    "properties": {
        "pacticipants": {"type": "array", "items": PACTICIPANT},
        "_embedded": {"type": "object", "properties": {"pacticipants": {"type": "array", "items": PACTICIPANT}}},
    },
}

VERSION_BODY: dict[str, Any] = {
    "type": "object",
    "properties": {
        "buildUrl": {"anyOf": [URL_STRING, {"type": "null"}]},
        "branch": NULLABLE_NAME,
        "tags": {
            "type": "array",
            "items": {"anyOf": [NAME, {"type": "object", "required": ["name"], "properties": {"name": NAME}}]},
        },
    },
}

VERSION: dict[str, Any] = {
    "type": "object",
    "required": ["number", "_links", "_embedded"],
    "properties": {
        "number": {"type": "string"},
        "buildUrl": {"type": ["string", "null"]},
        "_embedded": {
            "type": "object",
            "properties": {
                "tags": {"type": "array", "items": {"type": "object", "required": ["name"]}},
                "branchVersions": {"type": "array", "items": {"type": "object", "required": ["name"]}},
            },
        },
        "_links": {"type": "object", "required": ["self", "pb:record-deployment", "pb:record-release"]},
    },
}

TAG_BODY: dict[str, Any] = {"type": "object", "description": "Ignored: the tag name comes from the URL."}

ENVIRONMENT_UPDATE: dict[str, Any] = {
    "type": "object",
    "required": ["name", "production"],
    "properties": {
        "name": ENVIRONMENT_NAME,
        "displayName": NULLABLE_NAME,
        "production": {"type": "boolean"},
        "contacts": {
            "anyOf": [
                {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["name"],
                        "properties": {"name": {"type": "string", "minLength": 1}, "details": {"type": "object"}},
                    },
                },
                {"type": "null"},
            ]
        },
    },
}

ENVIRONMENT_BODY: dict[str, Any] = {
    **ENVIRONMENT_UPDATE,
    "properties": {"uuid": {"anyOf": [UUID, {"type": "null"}]}, **ENVIRONMENT_UPDATE["properties"]},
}

ENVIRONMENT: dict[str, Any] = {
    "type": "object",
    "required": ["uuid", "name", "displayName", "production", "_links"],
    "properties": {
        "uuid": {"type": "string"},
        "name": {"type": "string"},
        "displayName": {"type": "string"},
        "production": {"type": "boolean"},
        "contacts": {"type": "array"},
    },
}

DEPLOYMENT_BODY: dict[str, Any] = {
    "type": "object",
    "properties": {"applicationInstance": NULLABLE_NAME, "target": NULLABLE_NAME},
}
UNDEPLOY_BODY: dict[str, Any] = {
    "type": "object",
    "required": ["currentlyDeployed"],
    "properties": {"currentlyDeployed": {"type": "boolean"}},
}
END_SUPPORT_BODY: dict[str, Any] = {
    "type": "object",
    "required": ["currentlySupported"],
    "properties": {"currentlySupported": {"type": "boolean"}},
}
DEPLOYED_VERSION: dict[str, Any] = {
    "type": "object",
    "required": ["uuid", "currentlyDeployed", "_embedded", "_links"],
    "properties": {"uuid": {"type": "string"}, "currentlyDeployed": {"type": "boolean"}},
}
RELEASED_VERSION: dict[str, Any] = {
    "type": "object",
    "required": ["uuid", "currentlySupported", "_embedded", "_links"],
    "properties": {"uuid": {"type": "string"}, "currentlySupported": {"type": "boolean"}},
}

PACT_DOCUMENT: dict[str, Any] = {
    "type": "object",
    "description": "A pact file: it must have 'interactions' and/or 'messages', each a list of objects.",
    "anyOf": [{"required": ["interactions"]}, {"required": ["messages"]}],
    "properties": {
        "consumer": {"type": "object", "properties": {"name": {"type": "string"}}},
        "provider": {"type": "object", "properties": {"name": {"type": "string"}}},
        "interactions": {"type": "array", "items": {"type": "object"}},
        "messages": {"type": "array", "items": {"type": "object"}},
        "metadata": {"type": "object"},
    },
}

PACT: dict[str, Any] = {
    "type": "object",
    "required": ["_links"],
    "properties": {
        "_links": {
            "type": "object",
            "required": ["self", "pb:provider", "pb:consumer", "pb:publish-verification-results"],
        }
    },
}

PUBLISH_CONTRACTS_BODY: dict[str, Any] = {
    "type": "object",
    "required": ["pacticipantName", "pacticipantVersionNumber", "contracts"],
    "properties": {
        "pacticipantName": NAME,
        "pacticipantVersionNumber": NAME,
        "branch": NULLABLE_NAME,
        "tags": {"anyOf": [{"type": "array", "items": NAME}, {"type": "null"}]},
        "buildUrl": {"anyOf": [URL_STRING, {"type": "null"}]},
        "contracts": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["consumerName", "providerName", "content"],
                "properties": {
                    "consumerName": NAME,
                    "providerName": NAME,
                    "specification": {"type": "string", "enum": ["pact"]},
                    "contentType": {"type": "string", "enum": ["application/json"]},
                    "content": {
                        "type": "string",
                        "contentEncoding": "base64",
                        "description": "base64 of the UTF-8 pact JSON",
                        "pattern": r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$",
                    },
                    "onConflict": {"type": "string", "enum": ["overwrite", "merge"]},
                },
            },
        },
    },
}

PUBLISH_CONTRACTS_RESULT: dict[str, Any] = {
    "type": "object",
    "required": ["logs", "notices", "_embedded", "_links"],
    "properties": {"logs": {"type": "array"}, "notices": {"type": "array"}},
}

TRUE: dict[str, Any] = {"type": "boolean", "const": True}


def _selector_shape(required: dict[str, Any], optional: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "required": list(required),
        "properties": {**required, **(optional or {}), "consumer": NAME},
        "additionalProperties": False,
    }


SELECTOR: dict[str, Any] = {
    "description": "One consumer version selector; each shape is one kind of selection.",
    "oneOf": [
        _selector_shape({"mainBranch": TRUE}, {"latest": TRUE}),
        _selector_shape({"branch": NAME}, {"latest": TRUE, "fallbackBranch": NAME}),
        _selector_shape({"matchingBranch": TRUE}, {"latest": TRUE}),
        _selector_shape({"tag": NAME, "latest": TRUE}, {"fallbackTag": NAME}),
        _selector_shape({"tag": NAME}, {"latest": {"type": "boolean", "const": False}}),
        _selector_shape({"latest": TRUE}),
        _selector_shape({"deployed": TRUE}, {"environment": NAME}),
        _selector_shape({"released": TRUE}, {"environment": NAME}),
        _selector_shape({"deployedOrReleased": TRUE}, {"environment": NAME}),
        _selector_shape({"environment": NAME}),
    ],
}

FOR_VERIFICATION_BODY: dict[str, Any] = {
    "type": "object",
    "properties": {
        "providerVersionBranch": NAME,
        "providerVersionTags": {"type": "array", "items": NAME},
        "includePendingStatus": {"type": "boolean"},
        "includeWipPactsSince": {"type": "string", "format": "date"},
        "consumerVersionSelectors": {"type": "array", "items": SELECTOR},
    },
    # matchingBranch selects the consumer branch named like the provider's, so it needs that name.
    "if": {
        "required": ["consumerVersionSelectors"],
        "properties": {
            "consumerVersionSelectors": {
                "contains": {"required": ["matchingBranch"], "properties": {"matchingBranch": TRUE}}
            }
        },
    },
    "then": {"required": ["providerVersionBranch"]},
}

FOR_VERIFICATION_RESULT: dict[str, Any] = {
    "type": "object",
    "required": ["_embedded", "_links"],
    "properties": {
        "_embedded": {
            "type": "object",
            "required": ["pacts"],
            "properties": {
                "pacts": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["shortDescription", "verificationProperties", "_links"],
                        "properties": {
                            "shortDescription": {"type": "string"},
                            "verificationProperties": {
                                "type": "object",
                                "required": ["notices"],
                                "properties": {
                                    "pending": {"type": "boolean"},
                                    "wip": {"type": "boolean"},
                                    "notices": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "additionalProperties": {"type": "string"},
                                        },
                                    },
                                },
                            },
                        },
                    },
                }
            },
        }
    },
}

VERIFICATION_BODY: dict[str, Any] = {
    "type": "object",
    "required": ["success", "providerApplicationVersion"],
    "properties": {
        "success": {"type": "boolean"},
        "providerApplicationVersion": NAME,
        "buildUrl": {"anyOf": [URL_STRING, {"type": "null"}]},
        "testResults": {"anyOf": [{"type": "array"}, {"type": "object"}, {"type": "null"}]},
        "verifiedBy": {"anyOf": [{"type": "object"}, {"type": "null"}]},
    },
}

VERIFICATION: dict[str, Any] = {
    "type": "object",
    "required": ["success", "providerApplicationVersion", "_links"],
    "properties": {"success": {"type": "boolean"}, "providerApplicationVersion": {"type": "string"}},
}

MATRIX: dict[str, Any] = {
    "type": "object",
    "required": ["summary", "notices", "matrix"],
    "properties": {
        "summary": {
            "type": "object",
            "required": ["deployable", "reason", "success", "failed", "unknown"],
            "properties": {
                "deployable": {"type": ["boolean", "null"]},
                "reason": {"type": "string"},
                "success": {"type": "integer"},
                "failed": {"type": "integer"},
                "unknown": {"type": "integer"},
                "ignored": {"type": "integer"},
            },
        },
        "notices": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "text"],
                "properties": {"type": {"type": "string"}, "text": {"type": "string"}},
            },
        },
        "matrix": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["consumer", "provider", "pact", "verificationResult"],
                "properties": {
                    "consumer": {"type": "object", "required": ["name", "version"]},
                    "provider": {"type": "object", "required": ["name", "version"]},
                    "verificationResult": {"type": ["object", "null"]},
                },
            },
        },
    },
}

_PARTY: dict[str, Any] = {
    "description": "A pacticipant by name, or every pacticipant with a label; not both.",
    "anyOf": [
        {"type": "object", "required": ["name"], "properties": {"name": NAME, "label": {"type": "null"}}},
        {"type": "object", "required": ["label"], "properties": {"label": NAME, "name": {"type": "null"}}},
        {"type": "null"},
    ],
}

WEBHOOK_BODY: dict[str, Any] = {
    "type": "object",
    "required": ["request"],
    "properties": {
        "description": {"anyOf": [{"type": "string", "maxLength": 4096}, {"type": "null"}]},
        "enabled": {"type": "boolean"},
        "consumer": _PARTY,
        "provider": _PARTY,
        "events": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {
                        "type": "string",
                        "enum": [
                            "contract_published",
                            "contract_content_changed",
                            "contract_requiring_verification_published",
                            "provider_verification_published",
                            "provider_verification_succeeded",
                            "provider_verification_failed",
                        ],
                    }
                },
            },
        },
        "request": {
            "type": "object",
            "required": ["method", "url"],
            "properties": {
                "method": {"type": "string"},
                "url": {"type": "string", "format": "uri", "pattern": WEBHOOK_URL_PATTERN},
                "headers": {
                    "type": "object",
                    "propertyNames": {"pattern": HEADER_NAME_PATTERN},
                    "additionalProperties": {"type": "string", "pattern": HEADER_VALUE_PATTERN},
                },
                "body": {},
                "username": {"type": ["string", "null"]},
                "password": {"type": ["string", "null"]},
            },
        },
    },
}

WEBHOOK: dict[str, Any] = {
    "type": "object",
    "required": ["uuid", "events", "request", "_links"],
    "properties": {"uuid": {"type": "string"}, "events": {"type": "array"}, "request": {"type": "object"}},
}

EXECUTION_RESULT: dict[str, Any] = {
    "type": "object",
    "required": ["success", "request", "logs"],
    "properties": {"success": {"type": "boolean"}, "logs": {"type": "string"}},
}

HEALTH: dict[str, Any] = {
    "type": "object",
    "required": ["status"],
    "properties": {"status": {"type": "string"}, "database": {"type": "string"}},
}
