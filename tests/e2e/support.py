"""Shared helpers for the end-to-end tests: the binary, an isolated environment, the Kommo
simulator run as a process of its own with its /__sim control API, and the Inspector CLI."""

from __future__ import annotations

import json
import os
import shutil
import re
import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]

# A token that looks like nothing real; tests assert it never shows up in any output.
TOKEN = "e2e-token-3b7c1f0a-never-print-me"
SUBDOMAIN = "acme"
PAUSE_FIELD = 5001
LEAD = 9001
MISSING_LEAD = 9999

# A second simulator account that HTTP tests reach through per-request headers only.
OTHER_SUBDOMAIN = "beta"
OTHER_TOKEN = "e2e-beta-token-5d2a9c-never-print-me"

# Generous: a busy 2-core CI machine may be slow to start a process.
PROCESS_TIMEOUT = 60

SENTENCES = {
    "move_lead": (
        "Lead successfully moved to the specified pipeline and status.",
        "Failed to move lead: the specified lead does not exist in Kommo.",
    ),
    "pause_agent": (
        "Agent successfully paused for the specified lead.",
        "Failed to pause agent: the specified lead does not exist in Kommo.",
    ),
    "resume_agent": (
        "Agent successfully resumed for the specified lead.",
        "Failed to resume agent: the specified lead does not exist in Kommo.",
    ),
    "add_note": ("Note added succesfully.", "Error adding the note."),
    "get_lead": (None, "Failed to get lead: the specified lead does not exist in Kommo."),
}

# Every tool's name, from the reviewed tools/list snapshot (tests/it/schemas.rs keeps it equal
# to the server's answer), never a copy typed here.
ALL_TOOLS = sorted(tool["name"] for tool in json.loads(
    (REPO / "tests" / "it" / "snapshots" / "tools_list.json").read_text())["tools"])


def binary() -> Path:
    """The built kommo-mcp (KOMMO_MCP_BIN, set by scripts/e2e)."""
    value = os.environ.get("KOMMO_MCP_BIN")
    path = Path(value) if value else REPO / "target" / "debug" / "kommo-mcp"
    if not path.is_file():
        raise RuntimeError(f"kommo-mcp binary not found at {path}; build it or set KOMMO_MCP_BIN")
    return path


def isolated_env(home: Path) -> dict[str, str]:
    """A minimal environment: PATH and locale from the runner, HOME and XDG_CONFIG_HOME in an
    empty directory (so no real config file is read), and no KOMMO_*, TOOLS_TO_USE or RUST_LOG."""
    env = {key: os.environ[key] for key in ("PATH", "LANG", "TMPDIR") if key in os.environ}
    env["HOME"] = str(home)
    env["XDG_CONFIG_HOME"] = str(home / ".config")
    return env


def account_args(simulator: "SimulatorProcess") -> list[str]:
    """The flags that point the server at the simulator's `acme` account."""
    return [
        "--base-url", simulator.base_url_template,
        "--subdomain", SUBDOMAIN,
        "--token", TOKEN,
        "--pause-field-id", str(PAUSE_FIELD),
    ]


class SimulatorProcess:
    """`kommo-mcp simulator` as a child process, and its /__sim control API."""

    def __init__(self, bin_path: Path, env: dict[str, str], log_path: Path,
                 extra_accounts: tuple[tuple[str, str], ...] = ()) -> None:
        self._log = open(log_path, "wb")
        self.log_path = log_path
        accounts = [arg for sub, token in ((SUBDOMAIN, TOKEN), *extra_accounts)
                    for arg in ("--account", f"{sub}:{token}")]
        self.process = subprocess.Popen(
            [str(bin_path), "simulator", "--listen", "127.0.0.1:0", *accounts,
             "--requests-per-second", "0"],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._log,
        )
        assert self.process.stdout is not None
        first_line = self.process.stdout.readline().decode().strip()
        if "{subdomain}" not in first_line:
            self.stop()
            raise RuntimeError(f"simulator did not print its base-URL template: {first_line!r}; "
                               f"stderr: {log_path.read_text(errors='replace')}")
        self.base_url_template = first_line
        self.root = first_line.split("/{subdomain}")[0]

    def control(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.root}/__sim/{path}", data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=PROCESS_TIMEOUT) as response:
            payload = response.read()
        return json.loads(payload) if payload else None

    def requests(self) -> list[dict[str, Any]]:
        """Every Kommo API request received, oldest first (control calls are not logged)."""
        return self.control("GET", "requests")

    def authorizations(self, subdomain: str) -> list[str]:
        """The `Authorization` header of every request that reached `subdomain`."""
        return [r.get("authorization") or "" for r in self.requests() if r["subdomain"] == subdomain]

    def request_lines(self) -> list[str]:
        return [f"{r['method']} {r['path']}" for r in self.requests()]

    def writes(self) -> list[dict[str, Any]]:
        return [r for r in self.requests() if r["method"] != "GET"]

    def clear_requests(self) -> None:
        self.control("DELETE", "requests")

    def configure(self, **settings: Any) -> None:
        """POST /__sim/config, e.g. missing_lead="not_found"."""
        self.control("POST", "config", settings)

    def inject_faults(self, *faults: dict[str, Any]) -> None:
        self.control("POST", "faults", list(faults))

    def lead(self, lead_id: int, subdomain: str = SUBDOMAIN) -> dict[str, Any]:
        return self.control("GET", f"leads/{subdomain}/{lead_id}")

    def notes(self, lead_id: int, subdomain: str = SUBDOMAIN) -> list[dict[str, Any]]:
        return self.control("GET", f"notes/{subdomain}/{lead_id}")

    def tasks(self, subdomain: str = SUBDOMAIN) -> list[dict[str, Any]]:
        return self.control("GET", f"tasks/{subdomain}")

    def bot_actions(self, subdomain: str = SUBDOMAIN) -> list[dict[str, Any]]:
        """The Salesbot runs and stops the account was asked for, oldest first."""
        return self.control("GET", f"bot-actions/{subdomain}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=PROCESS_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()
        self._log.close()


@dataclass
class InspectorRun:
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


class Inspector:
    """The MCP Inspector CLI (`mcp-inspector --cli`) from .tools/node, run under Node 22."""

    def __init__(self, node_bin: Path, env: dict[str, str]) -> None:
        self.node_bin = node_bin
        self.env = dict(env, PATH=f"{node_bin}{os.pathsep}{env.get('PATH', '')}")
        self.program = shutil.which("mcp-inspector", path=self.env["PATH"])
        if self.program is None:
            raise RuntimeError(f"mcp-inspector not found in {node_bin}; run scripts/install-e2e-tools")

    def node_version(self) -> str:
        return subprocess.run(["node", "--version"], env=self.env, capture_output=True, text=True,
                              check=True, timeout=PROCESS_TIMEOUT).stdout.strip()

    def run(self, target: list[str], *method_args: str) -> InspectorRun:
        """`mcp-inspector --cli TARGET... -- METHOD_ARGS...`: everything before `--` is the
        server command and its own flags."""
        done = subprocess.run([self.program, "--cli", *target, "--", *method_args], env=self.env,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=PROCESS_TIMEOUT * 2)
        return InspectorRun(done.returncode, done.stdout, done.stderr)


class HttpServerProcess:
    """`kommo-mcp serve --http --listen 127.0.0.1:0 ...` as a child process: its address
    (from the "listening on http://..." log line), its stderr kept in a file, /healthz."""

    LISTENING = re.compile(r"listening on (http://[0-9.]+:[0-9]+)")

    def __init__(self, bin_path: Path, args: list[str], env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self._lines: list[str] = []
        self._listening = threading.Event()
        self.base = ""
        self.process = subprocess.Popen(
            [str(bin_path), "serve", "--http", "--listen", "127.0.0.1:0", *args],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        self._reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._reader.start()
        if not self._listening.wait(PROCESS_TIMEOUT) or not self.base:
            self.stop()
            raise RuntimeError(f"kommo-mcp serve --http did not start:\n{self.stderr()}")
        self.port = int(self.base.rsplit(":", 1)[1])
        self._wait_healthy()

    def _read_stderr(self) -> None:
        """Drains stderr (so a chatty server never blocks on a full pipe) into the log file."""
        assert self.process.stderr is not None
        with open(self.log_path, "w") as log:
            for raw in self.process.stderr:
                line = raw.decode(errors="replace")
                self._lines.append(line)
                log.write(line)
                log.flush()
                match = self.LISTENING.search(line)
                if match and not self._listening.is_set():
                    self.base = match.group(1)
                    self._listening.set()
        self._listening.set()

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + PROCESS_TIMEOUT
        while True:
            try:
                self.health()
                return
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def url(self, path: str, host: str | None = None) -> str:
        """The server's URL for `path`; `host="localhost"` for clients that insist on it."""
        return f"http://{host}:{self.port}{path}" if host else f"{self.base}{path}"

    def health(self) -> dict[str, Any]:
        with urllib.request.urlopen(self.url("/healthz"), timeout=PROCESS_TIMEOUT) as response:
            return json.loads(response.read())

    def stderr(self) -> str:
        return "".join(self._lines)

    def stop(self) -> int:
        """SIGTERM and wait; the exit status."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=PROCESS_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reader.join(timeout=PROCESS_TIMEOUT)
        return self.process.returncode
