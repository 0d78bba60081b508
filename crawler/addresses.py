"""Which network addresses the source tester may reach: public ones, and private ones the config
allows (`dashboard.probe_allow_private`). Stdlib only, so the config schema can check entries.

An entry is a host name (`intranet.example`, optionally `:port`), an IP address (optionally
`:port`, IPv6 in brackets: `[::1]:8600`) or a network (`10.20.0.0/16`). A name entry matches the
host as written in the URL; an address or network entry matches the address the host resolves to.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
_NAME = re.compile(r"[\w-]+(\.[\w-]+)*")


def is_public(address: str) -> bool:
    """True for a globally routable unicast address (not loopback, private, link-local, CGNAT…)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


@dataclass(frozen=True)
class AllowEntry:
    """One allow-list entry: a host name or a network, with an optional port."""

    name: str | None
    network: IPNetwork | None
    port: int | None

    def matches(self, host: str, port: int | None, address: str) -> bool:
        """Does this entry allow connecting to `address`, resolved from `host`, on `port`?
        (port None: a connection whose port the resolver is not told, e.g. to a proxy)"""
        if self.port is not None and port is not None and self.port != port:
            return False
        if self.name is not None:
            return normal_host(host) == self.name
        assert self.network is not None
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        return ip.version == self.network.version and ip in self.network


def normal_host(host: str) -> str:
    """A host name compared case-insensitively, without a trailing dot or IPv6 brackets."""
    return host.strip("[]").rstrip(".").lower()


def parse_entry(text: str) -> AllowEntry:
    """An allow-list entry, or ValueError saying what is wrong with it."""
    entry = text.strip()
    if not entry or "://" in entry or any(c in entry for c in "@?# "):
        raise ValueError(f"not a host, host:port, address or network: {text!r}")
    if "/" in entry:
        try:
            return AllowEntry(None, ipaddress.ip_network(entry, strict=False), None)
        except ValueError:
            raise ValueError(f"not a network (e.g. 10.0.0.0/8): {text!r}") from None
    host, port = _split_port(entry, text)
    try:
        return AllowEntry(None, ipaddress.ip_network(host), port)
    except ValueError:
        pass
    if not _NAME.fullmatch(normal_host(host)):
        raise ValueError(f"not a host name: {text!r}")
    return AllowEntry(normal_host(host), None, port)


def _split_port(entry: str, text: str) -> tuple[str, int | None]:
    if entry.startswith("["):  # [v6] or [v6]:port
        host, _, rest = entry[1:].partition("]")
        port = rest.removeprefix(":") if rest else None
    elif entry.count(":") == 1:
        host, port = entry.split(":")
    else:  # a name, an IPv4 address or a bare IPv6 address
        host, port = entry, None
    if port is None:
        return host, None
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"bad port in {text!r}")
    return host, int(port)


class Allowance:
    """The allow list: may the tester connect to `address` (resolved from `host`) on `port`?"""

    def __init__(self, entries: list[str]):
        self.entries = [parse_entry(e) for e in entries]

    def allows(self, host: str, port: int | None, address: str) -> bool:
        return is_public(address) or any(e.matches(host, port, address) for e in self.entries)
