"""The release kit's static Linux binary (scripts/release): no dynamic dependencies (`ldd`
says so), the SHA256SUMS file covers every artifact and matches it, the .tar.gz holds the
same binary, and the binary runs with an empty environment."""

from __future__ import annotations

import hashlib
import tarfile
from pathlib import Path

import pytest

from release_support import artifact, kit_dir, needs_kit, run, static_binary

pytestmark = needs_kit


@pytest.fixture(scope="module")
def kit() -> Path:
    return kit_dir()


def test_ldd_says_the_binary_is_static(kit: Path) -> None:
    result = run(["ldd", static_binary(kit)], check=False)
    said = result.stdout + result.stderr
    assert "not a dynamic executable" in said or "statically linked" in said, said
    assert ".so" not in said, said


def test_the_binary_needs_no_interpreter(kit: Path) -> None:
    """No PT_INTERP program header: nothing is loaded before the binary's own code."""
    headers = run(["readelf", "--program-headers", "--wide", static_binary(kit)]).stdout
    assert "INTERP" not in headers, headers


def test_sha256sums_cover_and_match_every_artifact(kit: Path) -> None:
    listed = {}
    for line in (kit / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        listed[name] = digest
    files = {p.name for p in kit.iterdir() if p.is_file() and p.name != "SHA256SUMS"}
    assert set(listed) == files
    for name, digest in listed.items():
        assert hashlib.sha256((kit / name).read_bytes()).hexdigest() == digest, name
    for suffix in ("-x86_64-linux", ".tar.gz", ".mcpb", "server.json"):
        assert any(name.endswith(suffix) for name in listed), suffix


def test_the_tarball_holds_the_same_binary(kit: Path, tmp_path: Path) -> None:
    with tarfile.open(artifact(kit, ".tar.gz")) as tar:
        assert sorted(tar.getnames()) == ["docs/install.md", "kommo-mcp"]
        member = tar.getmember("kommo-mcp")
        assert member.mode & 0o111, "the binary must be executable"
        tar.extract(member, tmp_path, filter="data")
    assert (tmp_path / "kommo-mcp").read_bytes() == static_binary(kit).read_bytes()


def test_the_binary_runs_with_an_empty_environment(kit: Path) -> None:
    version = run([static_binary(kit), "--version"], env={}).stdout
    assert version.startswith("kommo-mcp "), version
