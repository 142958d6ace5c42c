"""Small transcript builders for tests."""

from __future__ import annotations

from pathlib import Path


def ts(t: float, sep: str = ".") -> str:
    h, rem = divmod(t, 3600)
    m, s = divmod(rem, 60)
    return f"{int(h):02d}:{int(m):02d}:{s:06.3f}".replace(".", sep)


def zoom_vtt(cues: list[tuple[str, float, float, str]]) -> str:
    out = ["WEBVTT", ""]
    for n, (who, a, b, text) in enumerate(cues, 1):
        out += [str(n), f"{ts(a)} --> {ts(b)}", f"{who}: {text}", ""]
    return "\n".join(out)


def teams_vtt(cues: list[tuple[str, float, float, str]]) -> str:
    out = ["WEBVTT", ""]
    for n, (who, a, b, text) in enumerate(cues, 1):
        out += [f"id-{n}", f"{ts(a)} --> {ts(b)}", f"<v {who}>{text}</v>", ""]
    return "\n".join(out)


def srt_text(cues: list[tuple[str, float, float, str]]) -> str:
    out = []
    for n, (who, a, b, text) in enumerate(cues, 1):
        out += [str(n), f"{ts(a, ',')} --> {ts(b, ',')}", f"{who}: {text}", ""]
    return "\n".join(out)


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    p = tmp_path / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8")
    return p
