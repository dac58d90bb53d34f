"""pipes-harness for Python tests.

`pip install pipes-harness` puts the `pipes-harness` binary on PATH and
brings this module:

- `start_serve(seed)` starts `pipes-harness serve` on free ports and returns a
  `Serve`: `urls`, the `env` an app needs (WORKOS_BASE_URL, WORKOS_API_KEY,
  GITHUB_API_URL, ...), and `control`, a typed client of the control API;
  `stop()` (or a `with` block) ends it.
- The pytest plugin (loaded automatically) gives the `pipes_harness` and
  `pipes_harness_factory` fixtures.
- `ControlClient` is the control API on its own, e.g. from
  `ControlClient.from_env()`; a refused call raises `ControlApiError` with
  serve's message.
"""

from ._control import ControlClient, FaultName, Provider
from ._serve import Serve, ServeError, build_env, find_binary, start_serve
from ._transport import ControlApiError

__all__ = [
    "ControlApiError",
    "ControlClient",
    "FaultName",
    "Provider",
    "Serve",
    "ServeError",
    "build_env",
    "find_binary",
    "start_serve",
]
