"""The installed package: the binary on PATH, the fixtures, the control client.

Run from a virtualenv where only `pipes-harness` (and pytest) is installed:
`python -m pytest python/tests`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.request

import pytest

from pipes_harness import ControlApiError, ControlClient, ServeError, start_serve

SEED = {
    "api_keys": ["sk_test_package_tests"],
    "users": [{"email": "alice@example.com", "id": "user_01JDR8Y4Z6Q3KX5V2N7M9BA11C"}],
    "data_integrations": [{"slug": "github"}],
    "connected_accounts": [{"user": "alice@example.com", "slug": "github"}],
    "webhook_endpoints": [
        {"url": "http://127.0.0.1:9/webhooks", "secret": "whsec_package_tests_0123456789"}
    ],
}


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=60) as resp:
        return json.loads(resp.read())


def test_the_binary_is_on_path():
    binary = shutil.which("pipes-harness")
    assert binary, "pip install pipes-harness puts the binary on PATH"
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("pipes-harness ")


def test_the_fixture_and_the_factory_start_two_servers_side_by_side(
    pipes_harness, pipes_harness_factory
):
    other = pipes_harness_factory(SEED)
    ports = {url.rsplit(":", 1)[1] for s in (pipes_harness, other) for url in s.urls.values()}
    assert len(ports) == 12, "two servers of six services each, twelve ports"
    for serve in (pipes_harness, other):
        assert get_json(f"{serve.workos_url}/health") == {"status": "ok"}
        assert serve.control.clock()["now_ms"] > 0
    # Faults on one do not reach the other.
    other.control.set_workos_rate_limit(1, 60)
    assert pipes_harness.control.list_routes()["object"] == "list"


def test_a_bad_argument_raises_with_the_servers_message(pipes_harness):
    with pytest.raises(ControlApiError) as err:
        pipes_harness.control.advance_clock(-5)
    assert err.value.status == 422
    assert "the clock only moves forward" in err.value.message
    assert "the clock only moves forward" in str(err.value)

    with pytest.raises(ControlApiError) as err:
        pipes_harness.control.inject_fault("github", "rate_limits")  # type: ignore[arg-type]
    assert "unknown fault `rate_limits`" in err.value.message
    assert "rate_limit" in err.value.message

    with pytest.raises(ControlApiError) as err:
        pipes_harness.control.inject_fault("gitlab", "rate_limit")  # type: ignore[arg-type]
    assert err.value.status == 404


@pytest.mark.pipes_harness(seed=SEED)
def test_the_environment_has_the_names_apps_read(pipes_harness):
    env = pipes_harness.env
    workos = pipes_harness.urls["workos"]
    assert env["WORKOS_BASE_URL"] == workos == env["PIPES_HARNESS_WORKOS_URL"]
    assert env["WORKOS_API_KEY"] == "sk_test_package_tests" == env["PIPES_HARNESS_API_KEY"]
    assert env["WORKOS_WEBHOOK_SECRET"] == "whsec_package_tests_0123456789"
    assert env["PIPES_HARNESS_WEBHOOK_SECRET"] == "whsec_package_tests_0123456789"
    assert env["PIPES_HARNESS_CONTROL_URL"] == f"{workos}/_harness"
    for name in ("github", "slack", "google", "salesforce"):
        assert env[f"{name.upper()}_API_URL"] == pipes_harness.urls[name]
        assert env[f"PIPES_HARNESS_{name.upper()}_URL"] == pipes_harness.urls[name]
    assert env["PIPES_HARNESS_CUSTOM_URL"] == pipes_harness.urls["custom"]
    assert "PIPES_HARNESS_CONTROL_TOKEN" not in env


@pytest.mark.pipes_harness(seed=SEED)
def test_the_control_client_drives_the_world(pipes_harness):
    control = ControlClient.from_env(pipes_harness.env)
    before = control.clock()["now_ms"]
    assert control.advance_clock(3600)["now_ms"] >= before + 3_600_000
    revoked = control.revoke("github", user_id="user_01JDR8Y4Z6Q3KX5V2N7M9BA11C")
    assert revoked["provider"] == "github" and revoked["revoked"] >= 1
    fault = control.inject_fault("github", "rate_limit", retry_after=2, times=2)
    assert fault["times"] == 2 and fault["retry_after"] == 2
    assert control.clear_faults("github")["faults"] == []
    custom = control.set_custom_provider("acme", client_authentication="client_secret_post", pkce="required")
    assert custom["slug"] == "acme" and sorted(custom["changed"]) == ["client_authentication", "pkce"]
    with pytest.raises(ControlApiError) as refused:
        control.set_custom_provider("acme", pkce="sometimes")
    assert "expected required, optional" in str(refused.value)
    assert control.reset() == {"reset": True}
    assert control.events()["data"] == []
    assert control.webhook_deliveries()["data"] == []
    assert control.clear_workos_rate_limit() == {"limit": None}


def test_a_broken_seed_stops_start_serve_with_serves_reason(tmp_path):
    seed = tmp_path / "seed.yaml"
    seed.write_text("users:\n  - email: bob@example.com\n    favourite_colour: blue\n")
    with pytest.raises(ServeError) as err:
        start_serve(seed)
    assert "seed.yaml:3" in str(err.value)
    assert "favourite_colour" in str(err.value)


def test_a_seed_of_the_wrong_type_is_named():
    with pytest.raises(TypeError, match="seed must be a path to a seed file or a dict"):
        start_serve(42)  # type: ignore[arg-type]


def test_start_serve_is_a_context_manager():
    with start_serve() as serve:
        assert serve.env["WORKOS_API_KEY"] == "sk_test_default"
        process = serve.process
    assert process.poll() is not None, "serve stopped with the with block"
