"""Which IP addresses a webhook may reach: the IANA special-purpose registries, written out.

Python's `ipaddress` flags differ between Python releases and miss IPv4 addresses wrapped in
IPv6 (it calls `2002:7f00:1::`, 6to4 for 127.0.0.1, global), so the SSRF guard judges against
these tables instead:

- IPv4: every block of the IANA IPv4 Special-Purpose Address Registry, plus multicast;
- IPv6: only global unicast (`2000::/3`) outside every block of the IANA IPv6 Special-Purpose
  Address Registry, so unassigned, unique-local, link-local, site-local and multicast space
  are all refused;
- IPv6 forms that wrap an IPv4 address (IPv4-mapped, IPv4-compatible, IPv4-translated, NAT64,
  6to4, Teredo) are judged by the IPv4 address they wrap as well as by their own block.

Only IPv4-mapped, NAT64's well-known prefix and 6to4 stand for a public IPv4 host reached
another way, so those three are allowed when the IPv4 address they wrap is public; every other
special-purpose block is refused whatever it wraps.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Block:
    network: Network
    name: str


def _blocks(*entries: tuple[str, str]) -> tuple[Block, ...]:
    return tuple(Block(ipaddress.ip_network(network), name) for network, name in entries)


IPV4_SPECIAL = _blocks(
    ("0.0.0.0/8", "'this network' (RFC 791)"),
    ("10.0.0.0/8", "private-use (RFC 1918)"),
    ("100.64.0.0/10", "shared address space (RFC 6598)"),
    ("127.0.0.0/8", "loopback (RFC 1122)"),
    ("169.254.0.0/16", "link-local (RFC 3927)"),
    ("172.16.0.0/12", "private-use (RFC 1918)"),
    ("192.0.0.0/24", "IETF protocol assignments (RFC 6890)"),
    ("192.0.2.0/24", "documentation, TEST-NET-1 (RFC 5737)"),
    ("192.31.196.0/24", "AS112-v4 (RFC 7535)"),
    ("192.52.193.0/24", "AMT (RFC 7450)"),
    ("192.88.99.0/24", "deprecated 6to4 relay anycast (RFC 7526)"),
    ("192.168.0.0/16", "private-use (RFC 1918)"),
    ("192.175.48.0/24", "direct delegation AS112 service (RFC 7534)"),
    ("198.18.0.0/15", "benchmarking (RFC 2544)"),
    ("198.51.100.0/24", "documentation, TEST-NET-2 (RFC 5737)"),
    ("203.0.113.0/24", "documentation, TEST-NET-3 (RFC 5737)"),
    ("224.0.0.0/4", "multicast (RFC 5771)"),
    ("240.0.0.0/4", "reserved (RFC 1112)"),
    ("255.255.255.255/32", "limited broadcast (RFC 919)"),
)

IPV6_GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")

IPV6_SPECIAL = _blocks(
    ("::1/128", "loopback (RFC 4291)"),
    ("::/128", "unspecified (RFC 4291)"),
    ("::/96", "deprecated IPv4-compatible (RFC 4291)"),
    ("::ffff:0:0/96", "IPv4-mapped (RFC 4291)"),
    ("::ffff:0:0:0/96", "IPv4-translated (RFC 2765)"),
    ("64:ff9b::/96", "NAT64 well-known prefix (RFC 6052)"),
    ("64:ff9b:1::/48", "local-use IPv4/IPv6 translation (RFC 8215)"),
    ("100::/64", "discard-only (RFC 6666)"),
    ("100:0:0:1::/64", "dummy prefix (RFC 9780)"),
    ("2001::/32", "Teredo (RFC 4380)"),
    ("2001::/23", "IETF protocol assignments (RFC 2928)"),
    ("2001:db8::/32", "documentation (RFC 3849)"),
    ("2002::/16", "6to4 (RFC 3056)"),
    ("2620:4f:8000::/48", "direct delegation AS112 service (RFC 7534)"),
    ("3fff::/20", "documentation (RFC 9637)"),
    ("5f00::/16", "segment routing SIDs (RFC 9602)"),
    ("fc00::/7", "unique-local (RFC 4193)"),
    ("fe80::/10", "link-local (RFC 4291)"),
    ("fec0::/10", "deprecated site-local (RFC 3879)"),
    ("ff00::/8", "multicast (RFC 4291)"),
)

_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
_IPV4_TRANSLATED = ipaddress.IPv6Network("::ffff:0:0:0/96")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")

WRAPPING_PUBLIC_HOSTS = frozenset({"::ffff:0:0/96", "64:ff9b::/96", "2002::/16"})
"""Blocks that only spell a public IPv4 host another way: allowed when what they wrap is public."""


def special_block(address: IPAddress) -> Block | None:
    """The most specific special-purpose block holding the address, or None."""
    table = IPV4_SPECIAL if isinstance(address, ipaddress.IPv4Address) else IPV6_SPECIAL
    holding = [block for block in table if address in block.network]
    return max(holding, key=lambda block: block.network.prefixlen, default=None)


def wrapped_ipv4(address: IPAddress) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries: one for most forms, two for Teredo."""
    if isinstance(address, ipaddress.IPv4Address):
        return []
    number = int(address)
    low32 = ipaddress.IPv4Address(number & 0xFFFFFFFF)
    if address.ipv4_mapped is not None:
        return [address.ipv4_mapped]
    if address.sixtofour is not None:
        return [address.sixtofour]
    if address.teredo is not None:
        server, client = address.teredo
        return [server, client]
    if address in _IPV4_COMPATIBLE and number > 1:  # `::` and `::1` are not IPv4-compatible
        return [low32]
    if address in _IPV4_TRANSLATED or address in _NAT64:
        return [low32]
    return []


def why_not_public(address: IPAddress) -> str | None:
    """Why a webhook may not connect to the address (naming the block), or None when it may."""
    for inner in wrapped_ipv4(address):
        reason = why_not_public(inner)
        if reason is not None:
            return f"it wraps the IPv4 address {inner}, {reason}"
    block = special_block(address)
    if block is not None and str(block.network) not in WRAPPING_PUBLIC_HOSTS:
        return f"it is in {block.network}, {block.name}"
    if isinstance(address, ipaddress.IPv6Address) and block is None and address not in IPV6_GLOBAL_UNICAST:
        return "it is outside IPv6 global unicast space (2000::/3)"
    return None


def is_public(address: IPAddress) -> bool:
    return why_not_public(address) is None
