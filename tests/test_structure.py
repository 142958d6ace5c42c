"""The package's shape: imports point one way (no cycles), and it installs and runs from a wheel."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import venv
import zipfile
from pathlib import Path

import grimp
import httpx

from companion.config import WEB_DIR

ROOT = Path(__file__).resolve().parent.parent

#: The bottom layer: imports nothing else from the package.
CORE = ("companion.model", "companion.roles", "companion.config", "companion.errors")


def _graph() -> grimp.ImportGraph:
    # grimp reads every import statement, function-level ones included, so a cycle
    # hidden inside a function is still a cycle here.
    return grimp.build_graph("companion", cache_dir=None)


def _modules_cycle(graph: grimp.ImportGraph) -> list[list[str]]:
    """Each import cycle between modules, found by a depth-first walk over grimp's graph."""
    cycles, state, stack = [], {}, []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for n in sorted(graph.find_modules_directly_imported_by(m)):
            if state.get(n) == 1:
                cycles.append(stack[stack.index(n):] + [n])
            elif n not in state:
                visit(n)
        stack.pop()
        state[m] = 2

    for m in sorted(graph.modules):
        if m not in state:
            visit(m)
    return cycles


def test_no_import_cycles_between_modules():
    cycles = _modules_cycle(_graph())
    assert cycles == [], "import cycles: " + "; ".join(" -> ".join(c) for c in cycles[:5])


def test_core_imports_nothing_else_from_the_package():
    graph = _graph()
    for module in CORE:
        inside = {m for m in graph.find_modules_directly_imported_by(module) if m.startswith("companion")}
        assert inside <= set(CORE) - {module}, (module, inside)


def test_no_route_module_imports_the_app():
    graph = _graph()
    importers = graph.find_modules_that_directly_import("companion.server.app")
    assert importers <= {"companion.cli.serve"}, importers


def test_the_walk_finds_a_cycle_hidden_in_a_function():
    graph = _graph()
    graph.add_import(importer="companion.model", imported="companion.pipeline")  # as a function-level import
    assert any(c[0] == c[-1] and "companion.model" in c for c in _modules_cycle(graph))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_wheel_installed_in_a_fresh_environment_serves_every_page(tmp_path):
    # The source as git would ship it, copied, so the build leaves nothing in the worktree.
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".venv", ".git", "build", "*.egg-info", "models",
                                                             "__pycache__", ".mypy_cache", ".ruff_cache"))
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w",
                    str(wheels), str(src)], check=True, capture_output=True)
    wheel = next(wheels.glob("companion-*.whl"))
    shipped = set(zipfile.ZipFile(wheel).namelist())
    pages = sorted(p.name for p in WEB_DIR.iterdir() if p.is_file())
    assert {f"companion/web/{name}" for name in pages} <= shipped
    assert "companion/samples/sample_session.vtt" in shipped

    # A fresh environment whose dependencies come from this one (a .pth line), with the wheel, not editable.
    venv.create(tmp_path / "env", with_pip=False)
    env_python = tmp_path / "env" / "bin" / "python"
    site = subprocess.run([str(env_python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          check=True, capture_output=True, text=True).stdout.strip()
    deps = next(p for p in map(Path, sys.path) if p.name == "site-packages" and (p / "fastapi").is_dir())
    Path(site, "deps.pth").write_text(f"{deps}\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(env_python), "install", "-q", "--no-deps",
                    str(wheel)], check=True, capture_output=True)
    where = subprocess.run([str(env_python), "-c", "import companion; print(companion.__file__)"], cwd=tmp_path,
                           check=True, capture_output=True, text=True).stdout.strip()
    assert where.startswith(site), where

    run = subprocess.run([str(env_python), "-m", "companion", "--help"], cwd=tmp_path, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0 and "analyze" in run.stdout and "serve" in run.stdout

    port, key = _free_port(), "wheel-test-owner-key"
    env = {**os.environ, "COMPANION_KEY": key, "COMPANION_DATA_DIR": str(tmp_path / "data")}
    server = subprocess.Popen([str(tmp_path / "env" / "bin" / "companion"), "serve", "--port", str(port)],
                              cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                httpx.get(base + "/api/health", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"},
                          cookies={"companion_owner": key}) as c:
            for name in pages:
                r = c.get(f"/static/{name}")
                assert r.status_code == 200 and r.content == (WEB_DIR / name).read_bytes(), name
            sid = c.post("/api/sessions", json={"participants": [{"name": "Ann", "role": "coach"},
                                                                 {"name": "Bo", "role": "coachee"}]}).json()["id"]
            for path in ("/", f"/join/{sid}", f"/sessions/{sid}/review", f"/sessions/{sid}/log", "/trends"):
                r = c.get(path)
                assert r.status_code == 200 and r.text.lstrip().lower().startswith("<!doctype html"), path
    finally:
        server.terminate()
        server.wait(timeout=10)
