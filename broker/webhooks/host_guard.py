"""The SSRF guard: which URLs a webhook may call and which addresses it may connect to.

Only the configured schemes and methods; no template in the host part; and no loopback,
private, link-local, multicast or otherwise reserved address unless the operator's allow-list
names the host, a `*.domain` wildcard, the address or a CIDR range containing it. Checked when
a webhook is saved and again, after DNS resolution, right before every connection.
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

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
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


_SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")
_THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")


def is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return is_public(address.ipv4_mapped)
    blocked = (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )
    if isinstance(address, ipaddress.IPv6Address):
        blocked = blocked or address.is_site_local
    else:
        blocked = blocked or address in _SHARED_ADDRESS_SPACE or address in _THIS_NETWORK
    return not blocked


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
                if address in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                continue
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
        if not is_public(address) and not allow_listed(destination.host, address, policy):
            raise BlockedDestinationError(
                f"host '{destination.host}' resolves to the non-public address {address}; "
                "add it to the webhook host allow-list to use it"
            )
    return [str(address) for address in addresses]
