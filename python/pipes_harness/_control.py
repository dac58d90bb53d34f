# Generated from control-api.json; do not edit. Regenerate with `PIPES_HARNESS_UPDATE_CLIENTS=1 cargo test --test control_api`.
"""The typed client of serve's control API, one method per operation."""

from __future__ import annotations

from typing import Any, Dict, List, Literal, Optional

from ._transport import ControlTransport, _segment

Provider = Literal[
    "github",
    "slack",
    "google",
    "salesforce",
]
FaultName = Literal[
    "rate_limit",
    "secondary_rate_limit",
    "server_error",
    "latency",
    "malformed_body",
    "insufficient_scope",
    "invalid_grant_on_refresh",
    "revoke_tokens",
    "revoke_refresh_tokens",
    "expire_tokens",
    "deny_consent",
    "redirect_mismatch",
    "redirect_mismatch_page",
    "invalid_scope",
    "code_reused",
    "code_expired",
    "invalid_client",
]


class ControlClient(ControlTransport):
    """serve's control API. Every method raises `ControlApiError` with the
    server's message when serve refuses the call."""

    def list_routes(self) -> Dict[str, Any]:
        """
        The list of the control routes. `GET /_harness`.
        """
        return self._request("GET", "/_harness", None)

    def reset(self) -> Dict[str, Any]:
        """
        Puts the world back to the seed: WorkOS state, provider codes and tokens, faults
        and the WorkOS rate limit; every custom provider is removed. The clock does not
        go back. `POST /_harness/reset`.
        """
        return self._request("POST", "/_harness/reset", {})

    def clock(self) -> Dict[str, Any]:
        """
        The mock's current time: `{"now", "now_ms"}`. `GET /_harness/clock`.
        """
        return self._request("GET", "/_harness/clock", None)

    def advance_clock(self, seconds: float) -> Dict[str, Any]:
        """
        Moves the clock forward by `seconds` (0 to ten years; it never goes back).
        Expired tokens are refreshed on the next token request; webhook retries that
        fell due go out at once. Answers the new time. `POST /_harness/clock/advance`.
        `seconds`: How far to move the clock, in seconds.
        """
        return self._request("POST", "/_harness/clock/advance", {"seconds": seconds})

    def inject_fault(
        self,
        slug: str,
        fault: FaultName,
        *,
        times: Optional[int] = None,
        retry_after: Optional[int] = None,
        status: Optional[int] = None,
        on: Optional[Literal["api", "token"]] = None,
        ms: Optional[int] = None,
        real: Optional[bool] = None,
        needed: Optional[str] = None,
        user: Optional[str] = None,
        callback: Optional[str] = None,
        scope: Optional[str] = None,
        delay_ms: Optional[int] = None,
    ) -> Dict[str, Any]:
        """
        Injects a provider fault, for the next `times` calls or until cleared. Answers
        201 echoing the fault; an unknown fault or a bad parameter is a 422 saying what
        is expected. A custom provider's slug in use (an integration points at its mock
        provider, or `PUT /_harness/custom_providers/{slug}` set it) takes rate_limit,
        server_error, latency, malformed_body, invalid_grant_on_refresh, revoke_tokens,
        revoke_refresh_tokens, expire_tokens, deny_consent, redirect_mismatch,
        invalid_scope, code_reused and invalid_client (a 422 lists them for any other).
        `POST /_harness/providers/{slug}/faults`.
        `times`: For the next N calls; left out: until cleared. Not for faults that
        change state once.
        `retry_after`: rate_limit, secondary_rate_limit: seconds until the limit lifts,
        where the provider says so.
        `status`: rate_limit (GitHub: 403 or 429), server_error (5xx, default 503).
        `on`: server_error, latency, malformed_body: API calls (default) or the token
        endpoint.
        `ms`: latency: how late, in milliseconds.
        `real`: latency: wait for real.
        `needed`: insufficient_scope: the scope the endpoint wants.
        `user`: revoke_tokens, revoke_refresh_tokens, expire_tokens: a provider login;
        everyone when left out.
        `callback`: redirect_mismatch: the callback registered instead of WorkOS's.
        `scope`: invalid_scope: the refused scope.
        `delay_ms`: code_expired: how long the browser takes to bring the code back.
        """
        return self._request(
            "POST",
            f"/_harness/providers/{_segment(slug)}/faults",
            {
                "fault": fault,
                "times": times,
                "retry_after": retry_after,
                "status": status,
                "on": on,
                "ms": ms,
                "real": real,
                "needed": needed,
                "user": user,
                "callback": callback,
                "scope": scope,
                "delay_ms": delay_ms,
            },
        )

    def clear_faults(self, slug: str) -> Dict[str, Any]:
        """
        Removes every fault of the provider. `DELETE /_harness/providers/{slug}/faults`.
        """
        return self._request(
            "DELETE",
            f"/_harness/providers/{_segment(slug)}/faults",
            {},
        )

    def revoke(
        self,
        slug: Provider,
        *,
        user_id: Optional[str] = None,
        login: Optional[str] = None,
    ) -> Dict[str, Any]:
        """
        The user removes the app at the provider: every access and refresh token of the
        account is revoked, so the next refresh fails and the account moves to
        needs_reauthorization. Give `user_id` (a WorkOS user with a connected account)
        or `login` (the provider account). Answers `{"provider", "login", "revoked"}`.
        `POST /_harness/providers/{slug}/revoke`.
        `user_id`: A WorkOS user id with a connected account on this provider.
        `login`: The account's login at the provider.
        """
        return self._request(
            "POST",
            f"/_harness/providers/{_segment(slug)}/revoke",
            {"user_id": user_id, "login": login},
        )

    def provider_requests(
        self,
        slug: Provider,
        *,
        since: Optional[int] = None,
    ) -> Dict[str, Any]:
        """
        The last requests the provider mock received (a bounded log), oldest first, each
        bearer token as a SHA-256 fingerprint: `{"object": "list", "provider",
        "last_seq", "data"}`. Pass `since` (a `last_seq` from an earlier answer) to get
        only newer ones. `GET /_harness/providers/{slug}/requests`.
        `since`: Only requests after this sequence number.
        """
        return self._request(
            "GET",
            f"/_harness/providers/{_segment(slug)}/requests",
            None,
            {"since": since},
        )

    def provider_apps(self, slug: Provider) -> Dict[str, Any]:
        """
        The OAuth apps registered at the provider, without their secrets. `GET
        /_harness/providers/{slug}/apps`.
        """
        return self._request("GET", f"/_harness/providers/{_segment(slug)}/apps", None)

    def change_provider_app(
        self,
        slug: Provider,
        *,
        client_id: Optional[str] = None,
        redirect_uris: Optional[List[str]] = None,
        allowed_scopes: Optional[List[str]] = None,
    ) -> Dict[str, Any]:
        """
        Changes the provider-side OAuth app (every app of the provider when `client_id`
        is left out): a wrong callback stages a redirect mismatch, a short scope list an
        invalid scope. `POST /_harness/providers/{slug}/apps`.
        `client_id`: The app to change; every app of the provider when left out.
        `redirect_uris`: The callback URLs registered at the provider.
        `allowed_scopes`: The scopes the app may request.
        """
        return self._request(
            "POST",
            f"/_harness/providers/{_segment(slug)}/apps",
            {
                "client_id": client_id,
                "redirect_uris": redirect_uris,
                "allowed_scopes": allowed_scopes,
            },
        )

    def set_custom_provider(
        self,
        slug: str,
        *,
        client_authentication: Optional[str] = None,
        pkce: Optional[str] = None,
        scope_separator: Optional[str] = None,
        token_request_body: Optional[str] = None,
        access_token_lifetime: Optional[str] = None,
        refresh_tokens: Optional[str] = None,
        scopes: Optional[str] = None,
        refused_scopes: Optional[str] = None,
        userinfo: Optional[str] = None,
    ) -> Dict[str, Any]:
        """
        Sets what the mock provider of a custom slug accepts, over its current
        behaviour: the fields and words of the scenario step `the custom provider "acme"
        behaves as:` (client_authentication, pkce, scope_separator, token_request_body,
        access_token_lifetime, refresh_tokens, scopes, refused_scopes, userinfo). A
        custom integration then meets a provider that may disagree with its definition.
        A built-in slug is a 404; a slug that is not lowercase letters, digits, - and _
        (starting with a letter or a digit, at most 64 characters) is a 422; serve holds
        at most 64 custom providers at once, and a new slug past that is a 422 (reset
        removes them all). `PUT /_harness/custom_providers/{slug}`.
        `client_authentication`: client_secret_basic, client_secret_post, both (the
        default) or none (a public client).
        `pkce`: required, optional (the default) or not supported.
        `scope_separator`: What it splits `scope` on: space (the default), comma, or the
        separator in quotes.
        `token_request_body`: form, JSON, or form or JSON (the default).
        `access_token_lifetime`: 1 hour (the default), a number of seconds, minutes,
        hours or days, or never.
        `refresh_tokens`: issued (the default), rotated or none.
        `scopes`: The scopes it knows, comma-separated, or any (the default).
        `refused_scopes`: Scopes it refuses with invalid_scope, comma-separated.
        `userinfo`: yes (the default) or no.
        """
        return self._request(
            "PUT",
            f"/_harness/custom_providers/{_segment(slug)}",
            {
                "client_authentication": client_authentication,
                "pkce": pkce,
                "scope_separator": scope_separator,
                "token_request_body": token_request_body,
                "access_token_lifetime": access_token_lifetime,
                "refresh_tokens": refresh_tokens,
                "scopes": scopes,
                "refused_scopes": refused_scopes,
                "userinfo": userinfo,
            },
        )

    def stub_provider(
        self,
        slug: Provider,
        method: Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"],
        path: str,
        status: int,
        *,
        headers: Optional[Dict[str, Any]] = None,
        body: Optional[str] = None,
    ) -> Dict[str, Any]:
        """
        Answers one method and path of the provider with the given response, above its
        own routes: for endpoints the mock does not model. `body` is the response text;
        JSON text is sent as application/json. `DELETE
        /_harness/providers/{slug}/faults` and reset remove stubs. `POST
        /_harness/providers/{slug}/stubs`.
        `body`: The response body; JSON text is sent as application/json.
        """
        return self._request(
            "POST",
            f"/_harness/providers/{_segment(slug)}/stubs",
            {
                "method": method,
                "path": path,
                "status": status,
                "headers": headers,
                "body": body,
            },
        )

    def events(self) -> Dict[str, Any]:
        """
        The event log, oldest first: `{"object": "list", "data": [events]}` in the
        webhook body shape. `GET /_harness/events`.
        """
        return self._request("GET", "/_harness/events", None)

    def authorizations(self, user_id: str) -> Dict[str, Any]:
        """
        The connect flows WorkOS was asked to start for one user (`POST
        /data-integrations/{slug}/authorize`), oldest first, bounded like the events:
        `{"object": "list", "data": [{user_id, provider, organization_id,
        connection_intent, connected_account_id, return_to, code_challenge,
        completed}]}`. A reconnect should carry `connection_intent: "reauthorize"` and
        the connection's id. `GET /_harness/authorizations`.
        `user_id`: The WorkOS user id.
        """
        return self._request(
            "GET",
            "/_harness/authorizations",
            None,
            {"user_id": user_id},
        )

    def webhook_deliveries(self) -> Dict[str, Any]:
        """
        Every webhook delivery and its attempts: `{"data": [{"event_id", "event",
        "webhook_endpoint_id", "endpoint_url", "status", "attempts", "next_attempt_at",
        "last_outcome"}]}`. `GET /_harness/webhook_deliveries`.
        """
        return self._request("GET", "/_harness/webhook_deliveries", None)

    def flush_webhook_deliveries(self) -> Dict[str, Any]:
        """
        Sends every webhook delivery that is due now (after any run of the background
        sender in progress), then answers with every delivery as `GET
        /_harness/webhook_deliveries` does: a test waits for this answer instead of
        polling. `POST /_harness/webhook_deliveries/flush`.
        """
        return self._request("POST", "/_harness/webhook_deliveries/flush", {})

    def set_workos_rate_limit(self, limit: int, window_seconds: int) -> Dict[str, Any]:
        """
        WorkOS itself answers 429 with Retry-After past `limit` requests per API key per
        window of `window_seconds` (on the mock's clock). `POST
        /_harness/workos/rate_limit`.
        `limit`: Requests allowed per API key per window.
        `window_seconds`: The window, in seconds.
        """
        return self._request(
            "POST",
            "/_harness/workos/rate_limit",
            {"limit": limit, "window_seconds": window_seconds},
        )

    def clear_workos_rate_limit(self) -> Dict[str, Any]:
        """
        No WorkOS rate limit (the default). `DELETE /_harness/workos/rate_limit`.
        """
        return self._request("DELETE", "/_harness/workos/rate_limit", {})
