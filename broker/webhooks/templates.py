"""`${pactbroker.*}` substitution in a webhook's URL, headers and body.

Values are plain string replacements; in the URL they are percent-encoded so a branch named
`feat/x` cannot change the path. Unknown parameters are left as written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

PARAMETER = re.compile(r"\$\{pactbroker\.(\w+)\}")

PARAMETERS = (
    "consumerName",
    "providerName",
    "consumerVersionNumber",
    "providerVersionNumber",
    "providerVersionTags",
    "providerVersionBranch",
    "providerVersionDescriptions",
    "consumerVersionTags",
    "consumerVersionBranch",
    "pactUrl",
    "verificationResultUrl",
    "githubVerificationStatus",
    "bitbucketVerificationStatus",
    "azureDevOpsVerificationStatus",
    "gitlabVerificationStatus",
    "consumerLabels",
    "providerLabels",
    "eventName",
    "buildUrl",
    "currentlyDeployedProviderVersionNumber",
)


def render(text: str, context: Mapping[str, str], *, for_url: bool = False) -> str:
    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in context:
            return match.group(0)
        value = context[name] or ""
        return quote(value, safe="") if for_url else value

    return PARAMETER.sub(substitute, text)


def render_body(body: Any, context: Mapping[str, str]) -> str | None:
    if body is None:
        return None
    text = body if isinstance(body, str) else json.dumps(body)
    return render(text, context)
