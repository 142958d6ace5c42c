"""`companion serve --tls`: a self-signed certificate for this machine, HTTPS on loopback."""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
import time

import httpx
from cryptography import x509

from companion.cli import main
from companion.cli.serve import self_signed_certificate
from tests.support.server import free_port


def test_certificate_names_this_machine_and_is_reused(tmp_path):
    cert, key = self_signed_certificate(tmp_path, "127.0.0.1")
    c = x509.load_pem_x509_certificate(cert.read_bytes())
    san = c.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in san.get_values_for_type(x509.DNSName)
    assert "127.0.0.1" in {str(ip) for ip in san.get_values_for_type(x509.IPAddress)}
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    again, _ = self_signed_certificate(tmp_path, "127.0.0.1")
    assert again.read_bytes() == cert.read_bytes()


def test_serve_tls_answers_over_https_on_loopback(tmp_path):
    port = free_port()
    env = {**os.environ, "COMPANION_KEY": "tls-test-owner-key"}
    proc = subprocess.Popen([sys.executable, "-m", "companion", "serve", "--tls", "--port", str(port),
                             "--data-dir", str(tmp_path)], env=env, stdout=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline() + proc.stdout.readline() + proc.stdout.readline()
        assert f"https://127.0.0.1:{port}/?key=tls-test-owner-key" in first
        cert = tmp_path / "tls" / "cert.pem"
        for _ in range(100):
            try:
                r = httpx.get(f"https://127.0.0.1:{port}/api/sessions",
                              headers={"Authorization": "Bearer tls-test-owner-key"},
                              verify=ssl.create_default_context(cafile=str(cert)))
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert r.status_code == 200
        assert r.headers["Strict-Transport-Security"].startswith("max-age=")  # HSTS under --tls
        assert "connect-src 'self' wss://127.0.0.1:" in r.headers["Content-Security-Policy"]
    finally:
        proc.terminate()
        proc.wait(10)


def test_bad_ice_server_is_a_one_line_error(capsys):
    assert main(["serve", "--ice-server", "http://nope"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "ICE server" in err
