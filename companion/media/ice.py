"""ICE policy: which STUN/TURN servers, local addresses and remote addresses a call may use.

Privacy: aiortc with no configuration asks a public STUN server for
candidates. ``IcePolicy`` is the one place that decides which ICE servers are
used (none unless the user configures some), which local addresses are
offered and which remote addresses may be talked to. A server listening on
loopback offers only 127.0.0.1 and answers connectivity checks only from this
machine's own addresses, so media never leaves it.

aioice gathers host candidates from a module function that leaves out
127.0.0.1. ``install()`` replaces that one function (once, explicitly, by
whoever starts the server, a test or a benchmark) with one that asks the
policy in force; aioice is version-bounded in pyproject.toml for that reason.
A policy that chooses its own host addresses refuses to gather before
``install()`` ran, so a forgotten call fails loudly instead of leaking LAN
addresses.
"""

from __future__ import annotations

import contextvars
import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import aioice.ice
import ifaddr
from aiortc import RTCBundlePolicy, RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCSessionDescription

from companion.errors import InputError


def parse_ice_servers(urls: Iterable[str] | str | None) -> list[RTCIceServer]:
    """``stun:host:port`` or ``turn:user:pass@host:port[?transport=udp]`` URLs to ``RTCIceServer``s.

    A comma-separated string (``COMPANION_ICE_SERVERS``) or a list (``--ice-server``).
    """
    if urls is None:
        return []
    if isinstance(urls, str):
        urls = urls.split(",")
    servers = []
    for raw in urls:
        url = raw.strip()
        if not url:
            continue
        m = re.fullmatch(r"(stuns?|turns?):(?:([^:@/]+):([^@/]+)@)?([^?@/]+)(\?transport=(udp|tcp))?", url)
        if not m:
            raise InputError(f"cannot read ICE server {url!r}; use stun:HOST:PORT or turn:USER:PASS@HOST:PORT")
        scheme, user, password, hostport, query = m.group(1), m.group(2), m.group(3), m.group(4), m.group(5) or ""
        servers.append(RTCIceServer(urls=f"{scheme}:{hostport}{query}", username=user, credential=password))
    return servers


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def machine_addresses() -> set[str]:
    """This machine's own IP addresses (every interface, loopback included)."""
    out = {"127.0.0.1", "::1"}
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            out.add(ip.ip if isinstance(ip.ip, str) else ip.ip[0])
    return out


@dataclass
class IcePolicy:
    """Which ICE servers, local addresses and remote addresses a call may use."""

    #: STUN/TURN servers; empty by default so nothing outside is contacted.
    servers: list[RTCIceServer] = field(default_factory=list)
    #: Local addresses offered as host candidates; None = aioice's choice (every
    #: non-loopback interface).
    host_addresses: list[str] | None = None
    #: Remote addresses that may be paired with; None = any.
    remote_addresses: set[str] | None = None

    @classmethod
    def for_server(cls, host: str, ice_servers: Iterable[str] | str | None = None) -> IcePolicy:
        """Loopback server: media stays on this machine. Otherwise: LAN (and the user's servers)."""
        servers = parse_ice_servers(ice_servers)
        if _is_loopback(host):
            return cls(servers, ["127.0.0.1"], machine_addresses())
        return cls(servers, None, None)

    @classmethod
    def loopback_only(cls) -> IcePolicy:
        """Strictly 127.0.0.1 on both sides (tests, the benchmark)."""
        return cls([], ["127.0.0.1"], {"127.0.0.1"})

    def configuration(self) -> RTCConfiguration:
        # max-bundle: every m-line on one transport from the start. With aiortc's default
        # (balanced) the second video m-line is bundled onto the first video m-line's
        # transport, which the offer's BUNDLE group then discards: the server never
        # sent video on a receiving slot (aiortc 1.16).
        return RTCConfiguration(iceServers=list(self.servers), bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)

    def allows(self, host: str) -> bool:
        return self.remote_addresses is None or host in self.remote_addresses

    def filter_sdp(self, sdp: str) -> str:
        """Drop remote candidates we may not talk to (and mDNS names we cannot resolve offline)."""
        if self.remote_addresses is None:
            return sdp
        lines = []
        for line in sdp.splitlines():
            if line.startswith("a=candidate:"):
                parts = line.split()
                if len(parts) < 8 or not self.allows(parts[4]):
                    continue
            lines.append(line)
        return "\r\n".join(lines) + "\r\n"

    def new_peer_connection(self) -> RTCPeerConnection:
        return RTCPeerConnection(self.configuration())

    async def set_local_description(self, pc: RTCPeerConnection, description: RTCSessionDescription) -> None:
        """``pc.setLocalDescription`` gathering only our host addresses, then confine ICE."""
        if self.host_addresses is not None and not installed():
            raise RuntimeError("companion.media.ice.install() must run before a call gathers candidates")
        token = _HOST_ADDRESSES.set(self.host_addresses)
        try:
            await pc.setLocalDescription(description)
        finally:
            _HOST_ADDRESSES.reset(token)
        self.confine(pc)

    def confine(self, pc: RTCPeerConnection) -> None:
        """Ignore connectivity checks from addresses we may not talk to (no peer-reflexive pairs).

        Wraps one method of this peer's own ICE connection object (not a module function).
        """
        if self.remote_addresses is None:
            return
        for conn in _ice_connections(pc):
            if getattr(conn, "_companion_confined", False):
                continue
            original = conn.request_received

            def request_received(message, addr, protocol, _original=original):
                if self.allows(addr[0]):
                    _original(message, addr, protocol)

            conn.request_received = request_received  # type: ignore[method-assign]
            conn._companion_confined = True  # type: ignore[attr-defined]


def _ice_connections(pc: RTCPeerConnection) -> list[aioice.ice.Connection]:
    conns = []
    for t in pc.getTransceivers():
        transport = t.sender.transport
        ice = getattr(transport, "transport", None)
        conn = getattr(getattr(ice, "iceGatherer", None), "_connection", None)
        if conn is not None and conn not in conns:
            conns.append(conn)
    return conns


# -- the one third-party patch: aioice's host-candidate gathering ---------------------------------

_HOST_ADDRESSES: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "companion_host_addresses", default=None)
_aioice_host_addresses = aioice.ice.get_host_addresses


def _policy_host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
    chosen = _HOST_ADDRESSES.get()
    if chosen is None:
        return _aioice_host_addresses(use_ipv4=use_ipv4, use_ipv6=use_ipv6)
    return [a for a in chosen if (":" in a and use_ipv6) or (":" not in a and use_ipv4)]


def install() -> None:
    """Let ``IcePolicy`` choose aioice's host candidates. Idempotent; outside a policy nothing changes."""
    aioice.ice.get_host_addresses = _policy_host_addresses


def installed() -> bool:
    return aioice.ice.get_host_addresses is _policy_host_addresses
