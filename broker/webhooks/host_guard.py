"""The SSRF guard: which URLs a webhook may call and which addresses it may connect to.

Only the configured schemes and methods; no template in the host part; and no address in an
IANA special-purpose range, nor an IPv6 address wrapping a non-public IPv4 one (6to4, Teredo,
NAT64, IPv4-mapped or -compatible; see `special_addresses`), unless the operator's allow-list
names the host, a `*.domain` wildcard, the address or a CIDR range containing it (or the IPv4
address it wraps). Checked when a webhook is saved and again, after DNS resolution, right
before every connection.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from broker.config import WebhookPolicy
from broker.webhooks.special_addresses import IPAddress, why_not_public, wrapped_ipv4

SAVE_TIME_RESOLUTION_SECONDS = 1.0

_PORT = r"(:([0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?"
WEBHOOK_URL_PATTERN = (
    r"^(?![\s\S]*[\x00-\x1f])(https|http)://([A-Za-z0-9\-._~]+|\[[0-9A-Fa-f:.]+\])" + _PORT + r"([/?#][^\x00-\x1f]*)?$"
)


class BlockedDestinationError(Exception):
    """The webhook's destination is not allowed."""


@dataclass(frozen=True)
class Destination:
    scheme: str
    host: str
    port: int


def url_problem(url: object, policy: WebhookPolicy) -> str | None:
    if not isinstance(url, str) or not url.strip():
        return "is required"
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in policy.allowed_schemes:
        return f"scheme must be one of {', '.join(policy.allowed_schemes)}"
    netloc = url.split("://", 1)[1].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if "${" in netloc:
        return "the host cannot contain a template parameter"
    if len(url) > 4096 or not re.match(
        WEBHOOK_URL_PATTERN.replace("(https|http)", "([A-Za-z][A-Za-z0-9+.-]*)", 1), url
    ):
        return "is not a valid URL (an ASCII host name or IP address is needed, no credentials)"
    if "[" in netloc and _literal_address(netloc.rsplit(":", 1)[0] if not netloc.endswith("]") else netloc) is None:
        return "is not a valid URL (bad IPv6 address)"
    return None


def destination_of(url: str) -> Destination:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or (443 if scheme == "https" else 80)
    return Destination(scheme, (parts.hostname or "").lower(), port)


def _literal_address(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def allow_listed(host: str, address: IPAddress | None, policy: WebhookPolicy) -> bool:
    for entry in policy.host_allow_list:
        entry = entry.strip().lower()
        if not entry:
            continue
        if entry.startswith("*."):
            if host.endswith(entry[1:]) or host == entry[2:]:
                return True
            continue
        if entry == host:
            return True
        if address is not None:
            try:
                network = ipaddress.ip_network(entry, strict=False)
            except ValueError:
                continue
            if any(candidate in network for candidate in (address, *wrapped_ipv4(address))):
                return True
    return False


def check_saved_url(url: str, policy: WebhookPolicy) -> str | None:
    """Save-time check: literal addresses and names that resolve must be allowed."""
    problem = url_problem(url, policy)
    if problem:
        return problem
    destination = destination_of(url)
    try:
        resolve_allowed(destination, policy, timeout=SAVE_TIME_RESOLUTION_SECONDS)
    except BlockedDestinationError as error:
        return str(error)
    except OSError:
        return None  # unresolvable now; checked again before every attempt
    return None


_RESOLVER = ThreadPoolExecutor(max_workers=4, thread_name_prefix="webhook-dns")


def _resolve(destination: Destination, timeout: float) -> list[Any]:
    """getaddrinfo cannot be cancelled; give up waiting after `timeout` (OSError, as if unresolvable)."""
    future = _RESOLVER.submit(socket.getaddrinfo, destination.host, destination.port, type=socket.SOCK_STREAM)
    try:
        return future.result(timeout=timeout)
    except FutureTimeout:
        raise OSError(f"resolving {destination.host} took longer than {timeout:g} s") from None


def resolve_allowed(destination: Destination, policy: WebhookPolicy, timeout: float = 5.0) -> list[str]:
    """The addresses to connect to, or BlockedDestinationError when any of them is forbidden."""
    literal = _literal_address(destination.host)
    if literal is not None:
        addresses: list[IPAddress] = [literal]
    else:
        loopback_name = destination.host == "localhost" or destination.host.endswith(".localhost")
        if loopback_name and not allow_listed(destination.host, None, policy):
            raise BlockedDestinationError(
                f"host '{destination.host}' is a loopback name; add it to the webhook host allow-list to use it"
            )
        infos = _resolve(destination, timeout)
        addresses = []
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
            if address not in addresses:
                addresses.append(address)
    for address in addresses:
        reason = why_not_public(address)
        if reason is not None and not allow_listed(destination.host, address, policy):
            raise BlockedDestinationError(
                f"host '{destination.host}' resolves to the non-public address {address} ({reason}); "
                "add it to the webhook host allow-list to use it"
            )
    return [str(address) for address in addresses]
