"""``companion serve``: start the local server and print the owner's address."""

from __future__ import annotations

import argparse
import ipaddress
from datetime import UTC, datetime, timedelta
from pathlib import Path

from companion.errors import InputError


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from companion.asr import speech_model
    from companion.config import Settings
    from companion.media.ice import parse_ice_servers
    from companion.server.app import create_app

    ice = ",".join(args.ice_server) if args.ice_server else None
    settings = Settings.load(data_dir=args.data_dir, host=args.host, port=args.port, ice_servers=ice)
    parse_ice_servers(settings.ice_servers)  # a bad URL is a one-line error now, not at the first call
    if (args.cert is None) != (args.cert_key is None):
        raise InputError("--cert and --cert-key go together")
    tls = args.tls or args.cert is not None
    ssl: dict[str, str] = {}
    if tls:
        if args.cert is not None:
            cert, key = Path(args.cert), Path(args.cert_key)
            for p in (cert, key):
                if not p.is_file():
                    raise InputError("no such file", source=str(p))
        else:
            cert, key = self_signed_certificate(settings.data_dir / "tls", settings.host)
        ssl = {"ssl_certfile": str(cert), "ssl_keyfile": str(key)}
    app = create_app(settings)
    scheme = "https" if tls else "http"
    shown_host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    url = f"{scheme}://{shown_host}:{settings.port}/?key={app.state.key}"
    print("companion is running. Everything stays on this machine.", flush=True)
    print(f"Open this address (it carries your owner key; keep it private):\n    {url}", flush=True)
    print(speech_model(settings).line, flush=True)
    if tls and args.cert is None:
        print(f"The certificate is self-signed ({cert}); browsers ask you to accept it once.", flush=True)
    if settings.host in ("0.0.0.0", "::") and not tls:
        print("Listening on every network interface without --tls: browsers on other machines will not "
              "allow the microphone. Add --tls.", flush=True)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning",
                ssl_certfile=ssl.get("ssl_certfile"), ssl_keyfile=ssl.get("ssl_keyfile"))
    return 0


def self_signed_certificate(folder: Path, host: str) -> tuple[Path, Path]:
    """A certificate for this machine's names and addresses, made once and reused (valid 2 years)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    from companion.media.ice import machine_addresses

    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    if cert_path.is_file() and key_path.is_file():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        if cert.not_valid_after_utc > datetime.now(UTC) + timedelta(days=7):
            return cert_path, key_path
    import socket

    names = {"localhost", socket.gethostname()}
    addresses = set(machine_addresses())
    if host not in ("0.0.0.0", "::"):
        addresses.add(host)
    alt: list[x509.GeneralName] = [x509.DNSName(n) for n in sorted(names) if n]
    for a in sorted(addresses):
        try:
            alt.append(x509.IPAddress(ipaddress.ip_address(a.split("%")[0])))
        except ValueError:
            pass
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "companion (self-signed)")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=730))
            .add_extension(x509.SubjectAlternativeName(alt), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    key_path.touch(mode=0o600)
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def register(sub, common: argparse.ArgumentParser) -> None:
    s = sub.add_parser("serve", parents=[common], help="start the local server for live sessions")
    s.add_argument("--host", help="address to listen on (default 127.0.0.1: this machine only; "
                   "0.0.0.0 for the local network, with --tls)")
    s.add_argument("--port", type=int, help="port (default 8765)")
    s.add_argument("--tls", action="store_true", help="serve HTTPS with a self-signed certificate made on "
                   "first use (browsers allow microphones on other machines only over HTTPS)")
    s.add_argument("--cert", help="serve HTTPS with this certificate (PEM) instead of a self-signed one")
    s.add_argument("--cert-key", help="the private key (PEM) of --cert")
    s.add_argument("--ice-server", action="append", metavar="URL",
                   help="a STUN/TURN server for calls across networks, e.g. stun:stun.example.org:3478 or "
                   "turn:USER:PASS@turn.example.org:3478 (repeatable; none by default, so nothing outside "
                   "is contacted; env COMPANION_ICE_SERVERS, comma-separated)")
    s.set_defaults(func=cmd_serve)
