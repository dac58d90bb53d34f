"""The pytest plugin: fixtures that start `pipes-harness serve` for a test.

Installed with the package (entry point `pytest11`), nothing to configure:

    def test_profile(pipes_harness):
        app = create_app(pipes_harness.env)
        pipes_harness.control.revoke("github", user_id=ALICE)
        ...

- `pipes_harness`: a `Serve` started for the test (free ports) and stopped
  after it. Its seed is the `pipes_harness_seed` fixture (override it in a
  conftest.py: a path or a dict), or `@pytest.mark.pipes_harness(seed=...,
  api_key=..., control_token=...)` on the test.
- `pipes_harness_factory`: starts as many more as a test wants,
  `pipes_harness_factory(seed, api_key=...)`; all stop after the test.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, List

import pytest

from ._serve import Serve, SeedLike, start_serve


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "pipes_harness(seed=None, api_key=None, control_token=None, args=(), extra_env=None): "
        "how the pipes_harness fixture starts serve for this test",
    )


@pytest.fixture
def pipes_harness_seed() -> SeedLike:
    """The seed of the `pipes_harness` fixture: none (an empty sandbox) unless
    a conftest.py overrides this fixture with a path or a dict."""
    return None


@pytest.fixture
def pipes_harness_factory() -> Iterator[Callable[..., Serve]]:
    """Starts `serve`s on free ports: `pipes_harness_factory(seed, **options)`;
    every one stops after the test."""
    started: List[Serve] = []

    def start(seed: SeedLike = None, **options: Any) -> Serve:
        serve = start_serve(seed, **options)
        started.append(serve)
        return serve

    yield start
    for serve in reversed(started):
        serve.stop()


@pytest.fixture
def pipes_harness(
    request: pytest.FixtureRequest,
    pipes_harness_seed: SeedLike,
    pipes_harness_factory: Callable[..., Serve],
) -> Serve:
    """`pipes-harness serve` for this test: URLs, `env` for the app, `control`."""
    marker = request.node.get_closest_marker("pipes_harness")
    options = dict(marker.kwargs) if marker else {}
    seed = options.pop("seed", pipes_harness_seed)
    return pipes_harness_factory(seed, **options)
