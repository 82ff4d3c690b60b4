"""Shared helpers for the release-kit tests (tests/e2e/test_release_*.py): the kit folder that
scripts/release wrote (E2E_RELEASE_KIT, set by scripts/release-check; not a KOMMO_* name,
which conftest clears), its artifacts by kind, and the mcpb CLI of .tools/release. Without
E2E_RELEASE_KIT these tests are skipped: plain scripts/e2e runs do not build the kit."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from support import REPO

KIT_ENV = "E2E_RELEASE_KIT"

# Every release test module's mark: skipped (before any fixture starts) without a kit.
needs_kit = pytest.mark.skipif(
    not os.environ.get(KIT_ENV),
    reason=f"no release kit ({KIT_ENV} unset): scripts/release-check runs these tests")


def kit_dir() -> Path:
    """The release kit folder, or a skip when this run has none."""
    value = os.environ.get(KIT_ENV)
    if not value:
        pytest.skip(f"no release kit ({KIT_ENV} unset): scripts/release-check runs these tests")
    path = Path(value)
    assert (path / "SHA256SUMS").is_file(), f"{path} is not a release kit (no SHA256SUMS)"
    return path


def artifact(kit: Path, suffix: str) -> Path:
    """The one kit file whose name ends with `suffix`."""
    found = [p for p in kit.iterdir() if p.is_file() and p.name.endswith(suffix)]
    assert len(found) == 1, f"expected one *{suffix} in {kit}, found {[p.name for p in found]}"
    return found[0]


def static_binary(kit: Path) -> Path:
    return artifact(kit, "-x86_64-linux")


def read_json(path: Path) -> Any:
    return json.loads(path.read_text())


def mcpb_cli() -> Path:
    """The official @anthropic-ai/mcpb CLI that scripts/release installed."""
    path = REPO / ".tools" / "release" / "node_modules" / ".bin" / "mcpb"
    assert path.is_file(), f"{path} missing: scripts/release installs it"
    return path


def run(args: list[str | Path], timeout: float = 120, check: bool = True,
        **kwargs: Any) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True,
                            timeout=timeout, **kwargs)
    if check and result.returncode != 0:
        raise AssertionError(f"{args} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result
