"""Starting and stopping `pipes-harness serve` from Python.

`start_serve` runs the binary the wheel installed on free ports (`--port 0`),
waits for its `ready` line, and hands back a `Serve`: the URL of each mock,
the environment an app needs (the names `serve --env-file` writes), and a
control-API client. Two `Serve`s never clash: every server takes an
ephemeral port.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import threading
from pathlib import Path
from typing import Any, Dict, Iterable, Mapping, Optional, Union

import yaml

from ._control import ControlClient

SERVICES = ("workos", "github", "slack", "google", "salesforce", "custom")
# The built-in providers: each has an API URL an app is pointed at.
PROVIDERS = ("github", "slack", "google", "salesforce")
DEFAULT_API_KEY = "sk_test_default"

SeedLike = Union[None, str, "os.PathLike[str]", Mapping[str, Any]]


def find_binary() -> str:
    """The `pipes-harness` binary: `$PIPES_HARNESS_BIN`, else the one this
    package installed next to the Python interpreter's scripts, else PATH."""
    explicit = os.environ.get("PIPES_HARNESS_BIN")
    if explicit:
        return explicit
    for scheme_dir in {sysconfig.get_path("scripts"), str(Path(sys.executable).parent)}:
        candidate = Path(scheme_dir) / "pipes-harness"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("pipes-harness")
    if found:
        return found
    raise FileNotFoundError(
        "the pipes-harness binary is not installed in this environment: "
        "`pip install pipes-harness`, or set PIPES_HARNESS_BIN to its path"
    )


_ENV_FILE_SUPPORT: Dict[str, bool] = {}


def _supports_env_file(binary: str) -> bool:
    """Whether this serve writes `--env-file` (then its values are used as is)."""
    if binary not in _ENV_FILE_SUPPORT:
        try:
            out = subprocess.run(
                [binary, "serve", "--help"], capture_output=True, text=True, timeout=60
            ).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        _ENV_FILE_SUPPORT[binary] = "--env-file" in out
    return _ENV_FILE_SUPPORT[binary]


def _read_seed(seed: SeedLike, workdir: Path) -> "tuple[Optional[Path], Dict[str, Any]]":
    """The seed as a file for serve, and as data to read the app's key and secret from."""
    if seed is None:
        return None, {}
    if isinstance(seed, Mapping):
        path = workdir / "seed.yaml"
        # JSON is YAML: serve reads this file strictly, like any seed.
        path.write_text(json.dumps(dict(seed), indent=2, default=str))
        return path, dict(seed)
    if isinstance(seed, (str, os.PathLike)):
        path = Path(seed)
        if not path.is_file():
            raise FileNotFoundError(f"seed file {str(path)!r} does not exist")
        try:
            data = yaml.safe_load(path.read_text()) or {}
        except yaml.YAMLError:
            data = {}  # serve names the problem with its line and column
        return path.resolve(), data if isinstance(data, dict) else {}
    raise TypeError(
        f"seed must be a path to a seed file or a dict, not {type(seed).__name__}"
    )


def _read_env_file(path: Path) -> Dict[str, str]:
    env: Dict[str, str] = {}
    if not path.is_file():
        return env
    for line in path.read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() and not key.lstrip().startswith("#"):
            env[key.strip()] = value.strip()
    return env


def build_env(
    urls: Mapping[str, str],
    api_key: str,
    webhook_secret: Optional[str] = None,
    control_token: Optional[str] = None,
) -> Dict[str, str]:
    """The environment an app needs, with the names `serve --env-file` writes."""
    workos = urls["workos"]
    env = {
        "WORKOS_BASE_URL": workos,
        "WORKOS_API_KEY": api_key,
    }
    if webhook_secret:
        env["WORKOS_WEBHOOK_SECRET"] = webhook_secret
    for name in PROVIDERS:
        env[f"{name.upper()}_API_URL"] = urls[name]
    env["PIPES_HARNESS_WORKOS_URL"] = workos
    env["PIPES_HARNESS_API_KEY"] = api_key
    if webhook_secret:
        env["PIPES_HARNESS_WEBHOOK_SECRET"] = webhook_secret
    env["PIPES_HARNESS_CONTROL_URL"] = f"{workos}/_harness"
    for name in PROVIDERS:
        env[f"PIPES_HARNESS_{name.upper()}_URL"] = urls[name]
    if "custom" in urls:
        env["PIPES_HARNESS_CUSTOM_URL"] = urls["custom"]
    if control_token:
        env["PIPES_HARNESS_CONTROL_TOKEN"] = control_token
    return env


class ServeError(RuntimeError):
    """serve did not start; the message carries what it printed on stderr."""


class Serve:
    """A running `pipes-harness serve`. Stop it with `stop()` or a `with` block."""

    urls: Dict[str, str]
    """Each service's base URL: workos, github, slack, google, salesforce, custom."""
    env: Dict[str, str]
    """The environment an app needs (WORKOS_BASE_URL, WORKOS_API_KEY, ...)."""
    control: ControlClient
    """The control API: reset, clock, faults, revoke, events, deliveries."""

    def __init__(
        self,
        process: "subprocess.Popen[str]",
        urls: Dict[str, str],
        env: Dict[str, str],
        workdir: "tempfile.TemporaryDirectory[str]",
        stderr_path: Path,
        pump: threading.Thread,
    ) -> None:
        self.process = process
        self._pump = pump
        self.urls = urls
        self.env = env
        self._workdir = workdir
        self._stderr_path = stderr_path
        self.control = ControlClient(
            env["PIPES_HARNESS_CONTROL_URL"], token=env.get("PIPES_HARNESS_CONTROL_TOKEN")
        )

    @property
    def workos_url(self) -> str:
        return self.urls["workos"]

    @property
    def control_url(self) -> str:
        return self.env["PIPES_HARNESS_CONTROL_URL"]

    @property
    def api_key(self) -> str:
        return self.env["WORKOS_API_KEY"]

    @property
    def webhook_secret(self) -> Optional[str]:
        return self.env.get("WORKOS_WEBHOOK_SECRET")

    def url(self, service: str) -> str:
        """The base URL of `service` (workos, github, slack, google, salesforce, custom)."""
        try:
            return self.urls[service]
        except KeyError:
            raise KeyError(
                f"unknown service {service!r}: expected one of {', '.join(SERVICES)}"
            ) from None

    @property
    def stderr(self) -> str:
        """What serve printed on stderr so far."""
        try:
            return self._stderr_path.read_text(errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        """Stops serve (SIGTERM, then SIGKILL after 30 s) and removes its files."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        # serve has exited: the reader sees the end of its output, then stops.
        self._pump.join(timeout=30)
        if self.process.stdout and not self._pump.is_alive():
            self.process.stdout.close()
        self._workdir.cleanup()

    def __enter__(self) -> "Serve":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<Serve workos={self.urls.get('workos')} pid={self.process.pid}>"


def start_serve(
    seed: SeedLike = None,
    *,
    api_key: Optional[str] = None,
    control_token: Optional[str] = None,
    args: Iterable[str] = (),
    extra_env: Optional[Mapping[str, str]] = None,
    binary: Optional[str] = None,
    timeout: float = 120.0,
) -> Serve:
    """Starts `pipes-harness serve` on free ports and waits until it is ready.

    `seed` is a seed file's path or the seed itself as a dict (the YAML seed
    format). `api_key` is passed as `--api-key`; `control_token` as
    `--control-token` (and sent by the control client); `args` go to serve
    as they are. `extra_env` is added to serve's environment (for instance
    the `APP_WEBHOOK_URL` a seed names as `${APP_WEBHOOK_URL}`). `timeout`
    only guards against a serve that never starts.
    """
    binary = binary or find_binary()
    workdir = tempfile.TemporaryDirectory(prefix="pipes-harness-")
    work = Path(workdir.name)
    try:
        seed_path, seed_data = _read_seed(seed, work)
    except BaseException:
        workdir.cleanup()
        raise
    command = [binary, "serve", "--port", "0"]
    if seed_path is not None:
        command += ["--seed", str(seed_path)]
    if api_key is not None:
        command += ["--api-key", api_key]
    if control_token is not None:
        command += ["--control-token", control_token]
    env_file = work / "serve.env"
    use_env_file = _supports_env_file(binary)
    if use_env_file:
        command += ["--env-file", str(env_file)]
    command += list(args)

    stderr_path = work / "serve.stderr"
    with open(stderr_path, "w") as stderr:
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            bufsize=1,
            env={**os.environ, **(extra_env or {})},
        )

    lines: "queue.Queue[Optional[str]]" = queue.Queue()

    def pump() -> None:
        # Keeps reading after `ready` so serve never blocks on a full pipe.
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    pumping = threading.Thread(target=pump, name="pipes-harness-stdout", daemon=True)
    pumping.start()

    urls: Dict[str, str] = {}
    problem = None
    while True:
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            problem = f"serve printed no `ready` line within {timeout:.0f} s"
            break
        if line is None:
            process.wait()
            problem = f"serve exited with code {process.returncode} before it was ready"
            break
        if line == "ready":
            break
        name, _, url = line.partition(" ")
        if name in SERVICES and url.startswith("http"):
            urls[name] = url.strip()
    if problem is None and set(urls) != set(SERVICES):
        problem = f"serve was ready without printing every service's URL (got {sorted(urls)})"
    if problem is not None:
        if process.poll() is None:
            process.kill()
            process.wait()
        pumping.join(timeout=30)
        if process.stdout and not pumping.is_alive():
            process.stdout.close()
        err = stderr_path.read_text(errors="replace").strip()
        workdir.cleanup()
        raise ServeError(f"pipes-harness serve did not start: {problem}" + (f"\n{err}" if err else ""))

    keys = seed_data.get("api_keys") or []
    key = keys[0] if keys and isinstance(keys[0], str) else (api_key or DEFAULT_API_KEY)
    endpoints = seed_data.get("webhook_endpoints") or []
    secret = None
    if endpoints and isinstance(endpoints[0], dict):
        secret = endpoints[0].get("secret")
    env = build_env(urls, key, secret, control_token)
    if use_env_file:
        env.update(_read_env_file(env_file))
    return Serve(process, urls, env, workdir, stderr_path, pumping)
