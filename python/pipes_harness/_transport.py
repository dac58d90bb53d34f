"""HTTP for the control API: JSON in and out, errors raised with serve's message.

Every request carries `Content-Type: application/json` (a bodiless POST or
DELETE sends `{}`) and, when a control token is set, `Authorization: Bearer`.
Only the standard library: the client adds nothing to a team's dependencies.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, Mapping, Optional, Type, TypeVar

T = TypeVar("T", bound="ControlTransport")


class ControlApiError(Exception):
    """serve refused a control call; `message` is serve's own explanation."""

    def __init__(
        self,
        method: str,
        path: str,
        status: int,
        message: str,
        code: Optional[str] = None,
        body: Any = None,
    ) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.message = message
        self.code = code
        self.body = body
        code_part = f" {code}" if code else ""
        super().__init__(f"{method} {path} answered {status}{code_part}: {message}")


def _segment(value: str) -> str:
    """One URL path segment, escaped."""
    return urllib.parse.quote(str(value), safe="")


class ControlTransport:
    """The connection to one serve's control API.

    `control_url` is the `PIPES_HARNESS_CONTROL_URL` of the environment:
    `http://127.0.0.1:<port>/_harness`.
    """

    def __init__(
        self,
        control_url: str,
        token: Optional[str] = None,
        timeout: float = 60.0,
    ) -> None:
        url = control_url.rstrip("/")
        if not url.endswith("/_harness"):
            raise ValueError(
                f"control_url {control_url!r} is not a control API URL: "
                "expected http://HOST:PORT/_harness (PIPES_HARNESS_CONTROL_URL)"
            )
        self.control_url = url
        self.origin = url[: -len("/_harness")]
        self.token = token
        self.timeout = timeout

    @classmethod
    def from_env(
        cls: Type[T], env: Optional[Mapping[str, str]] = None, **kwargs: Any
    ) -> T:
        """The client for the serve an environment points at
        (`PIPES_HARNESS_CONTROL_URL`, `PIPES_HARNESS_CONTROL_TOKEN`)."""
        import os

        env = os.environ if env is None else env
        url = env.get("PIPES_HARNESS_CONTROL_URL")
        if not url:
            raise ValueError(
                "PIPES_HARNESS_CONTROL_URL is not set: start serve with the pipes_harness "
                "fixture or pass the control URL (http://HOST:PORT/_harness)"
            )
        return cls(url, token=env.get("PIPES_HARNESS_CONTROL_TOKEN") or None, **kwargs)

    def _request(
        self,
        method: str,
        path: str,
        body: Optional[Dict[str, Any]],
        query: Optional[Dict[str, Any]] = None,
    ) -> Dict[str, Any]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = None
        if body is not None:
            present = {k: v for k, v in body.items() if v is not None}
            data = json.dumps(present).encode()
        elif method != "GET":
            data = b"{}"
        url = self.origin + path
        params = {k: v for k, v in (query or {}).items() if v is not None}
        if params:
            url += "?" + urllib.parse.urlencode(params, doseq=True)
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as err:
            raw = err.read()
            text = raw.decode("utf-8", "replace")
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = None
            if isinstance(parsed, dict) and parsed.get("message"):
                raise ControlApiError(
                    method, path, err.code, str(parsed["message"]), parsed.get("code"), parsed
                ) from None
            raise ControlApiError(
                method, path, err.code, text.strip() or err.reason, None, parsed
            ) from None
        except urllib.error.URLError as err:
            raise ConnectionError(
                f"{method} {self.origin}{path}: serve did not answer ({err.reason}); "
                "is it still running?"
            ) from None
        if not raw:
            return {}
        result: Dict[str, Any] = json.loads(raw)
        return result
