@custom_provider @connect
Feature: Connect a custom OAuth provider through Pipes
  A team that needs a provider WorkOS does not ship defines it with
  custom_provider: where its authorize page and token endpoint are, whether
  to send PKCE, how to encode the token request, where to put the client
  credentials and how to join scopes. The provider on the other side has
  rules of its own. When the two agree, the provider connects, refreshes and
  fails like a built-in one; when they disagree, it refuses the way an
  RFC 6749 server does, and the harness diagnoses the refusal as it would a
  built-in provider's, naming the part of the definition that decides it.

  Scenario: PKCE, a JSON token body and HTTP Basic client credentials
    Given the custom provider "acme" behaves as:
      | client_authentication | client_secret_basic |
      | pkce                  | required            |
      | token_request_body    | JSON                |
    And the custom provider "acme" is defined with:
      | pkce_enabled            | true              |
      | token_body_content_type | application/json  |
      | authenticate_via        | basic_auth_header |
      | scopes                  | read, write       |
    And the app's webhook endpoint receives Pipes events
    When alice connects the custom provider "acme"
    Then alice's connection to the custom provider "acme" is connected
    And alice's connection to the custom provider "acme" has scopes "read, write"
    And alice's connection to the custom provider "acme" is the account "alice@example.com"
    And the token endpoint of the custom provider "acme" received a JSON body
    And WorkOS authenticated to the custom provider "acme" with client_secret_basic
    And the token endpoint of the custom provider "acme" received a PKCE verifier matching the challenge
    And the app received a "pipes.connected_account.connected" event for alice

  Scenario: A form body, client credentials in the body and comma-separated scopes
    Given the custom provider "crm" behaves as:
      | client_authentication | client_secret_post                   |
      | pkce                  | not supported                        |
      | scope_separator       | comma                                |
      | scopes                | contacts.read, contacts.write, admin |
    And the custom provider "crm" is defined with:
      | request_scope_separator | comma                         |
      | scopes                  | contacts.read, contacts.write |
    When alice connects the custom provider "crm"
    Then alice's connection to the custom provider "crm" is connected
    And alice's connection to the custom provider "crm" has scopes "contacts.read, contacts.write"
    And the authorize page of the custom provider "crm" received the scope "contacts.read,contacts.write"
    And the token endpoint of the custom provider "crm" received a form body
    And WorkOS authenticated to the custom provider "crm" with client_secret_post
    And the token endpoint of the custom provider "crm" received no PKCE verifier

  Scenario: A public client sends no secret, and PKCE protects its code
    Given the custom provider "acme" behaves as:
      | client_authentication | none     |
      | pkce                  | required |
    And the custom provider "acme" is defined with:
      | client_secret_required | false |
      | pkce_enabled           | true  |
    When alice connects the custom provider "acme"
    Then alice's connection to the custom provider "acme" is connected
    And WorkOS authenticated to the custom provider "acme" with none
    And the token endpoint of the custom provider "acme" received a PKCE verifier matching the challenge

  @token_refresh
  Scenario: WorkOS refreshes through the refresh URL once the token expires, and the provider rotates
    Given the custom provider "acme" behaves as:
      | access_token_lifetime | 1 hour  |
      | refresh_tokens        | rotated |
    And the custom provider "acme" is defined with:
      | refresh_token_url | http://acme.test/refresh |
    And alice has connected the custom provider "acme"
    When 2 hours pass
    And the app asks WorkOS for alice's token of the custom provider "acme"
    Then the app gets a token of the custom provider "acme"
    And WorkOS refreshed the token of the custom provider "acme" at "http://acme.test/refresh"
    And the custom provider "acme" rotated alice's refresh token
    When the app calls the userinfo endpoint of the custom provider "acme" for alice
    Then no failure was diagnosed
    And the response field "email" is "alice@example.com"
    When 2 hours pass
    And the app asks WorkOS for alice's token of the custom provider "acme"
    Then the app gets a token of the custom provider "acme"
    And the custom provider "acme" rotated alice's refresh token

  @token_refresh
  Scenario: A provider that does not rotate keeps the refresh token, refreshed at the token URL
    Given the custom provider "acme" is defined
    And alice has connected the custom provider "acme"
    When 90 minutes pass
    And the app asks WorkOS for alice's token of the custom provider "acme"
    Then the app gets a token of the custom provider "acme"
    And WorkOS refreshed the token of the custom provider "acme" at "http://acme.test/token"
    And WorkOS authenticated to the custom provider "acme" with client_secret_post
    And the custom provider "acme" kept alice's refresh token

  @access_denied
  Scenario: Alice denies consent at the custom provider
    Given the custom provider "acme" is defined
    And alice denies consent on the custom provider "acme"
    And the app's webhook endpoint receives Pipes events
    When alice connects the custom provider "acme"
    Then the connection fails with diagnosis access_denied
    And the diagnosis mentions "The user denied the request."
    And the diagnosis explains the root cause and the fix
    And the app received a "pipes.connected_account.connection_failed" event for alice
    And alice's connection to the custom provider "acme" is disconnected

  @redirect_uri_mismatch
  Scenario: The provider does not know WorkOS's redirect URI and stops on its own page
    Given the custom provider "acme" is defined
    And the custom provider "acme" has another callback URL registered for the app
    And the app's webhook endpoint receives Pipes events
    When alice connects the custom provider "acme"
    Then the connection fails with diagnosis redirect_uri_mismatch
    And the diagnosis mentions "is not registered for this client"
    And the diagnosis explains the root cause and the fix
    And the app received no "pipes.connected_account.connection_failed" event

  @invalid_scope
  Scenario: The integration asks for a scope the provider refuses
    Given the custom provider "acme" refuses the scope "admin"
    And the custom provider "acme" is defined with:
      | scopes | read, admin |
    And the app's webhook endpoint receives Pipes events
    When alice connects the custom provider "acme"
    Then the connection fails with diagnosis invalid_scope
    And the diagnosis mentions "The scope 'admin' is not allowed for this client."
    And the app received a "pipes.connected_account.connection_failed" event for alice

  @invalid_scope
  Scenario: Scopes joined with spaces, for a provider that splits them on commas
    Given the custom provider "crm" behaves as:
      | scope_separator | comma                         |
      | scopes          | contacts.read, contacts.write |
    And the custom provider "crm" is defined with:
      | scopes | contacts.read, contacts.write |
    When alice connects the custom provider "crm"
    Then the connection fails with diagnosis invalid_scope
    And the diagnosis mentions "request_scope_separator"
    And the authorize page of the custom provider "crm" received the scope "contacts.read contacts.write"

  @token_revoked @needs_reauthorization
  Scenario: The provider revokes alice's tokens, and reconnecting repairs the connection
    Given the custom provider "acme" is defined
    And the app's webhook endpoint receives Pipes events
    And alice has connected the custom provider "acme"
    When the custom provider "acme" revokes alice's tokens
    And the app calls the userinfo endpoint of the custom provider "acme" for alice
    Then the call fails with diagnosis token_revoked
    And the diagnosis mentions "The access token was revoked"
    When 2 hours pass
    And the app asks WorkOS for alice's token of the custom provider "acme"
    Then the diagnosis is needs_reauthorization
    And alice's connection to the custom provider "acme" is needs_reauthorization
    And the app received a "pipes.connected_account.reauthorization_needed" event for alice
    When alice connects the custom provider "acme"
    And the app asks WorkOS for alice's token of the custom provider "acme"
    Then the app gets a token of the custom provider "acme"
    And alice's connection to the custom provider "acme" is connected

  @invalid_client
  Scenario: HTTP Basic configured, but the provider reads client credentials from the body only
    Given the custom provider "acme" behaves as:
      | client_authentication | client_secret_post |
    And the custom provider "acme" is defined with:
      | authenticate_via | basic_auth_header |
    And the app's webhook endpoint receives Pipes events
    When alice connects the custom provider "acme"
    Then the connection fails with diagnosis invalid_client
    And the diagnosis mentions "authenticate_via"
    And WorkOS authenticated to the custom provider "acme" with client_secret_basic
    And the app received a "pipes.connected_account.connection_failed" event for alice

  @invalid_request
  Scenario: A JSON token body configured, but the provider reads forms only
    Given the custom provider "acme" behaves as:
      | token_request_body | form |
    And the custom provider "acme" is defined with:
      | token_body_content_type | application/json |
    And the app's webhook endpoint receives Pipes events
    When alice connects the custom provider "acme"
    Then the connection fails with diagnosis invalid_request
    And the diagnosis mentions "token_body_content_type"
    And the token endpoint of the custom provider "acme" received a JSON body
    And the app received a "pipes.connected_account.connection_failed" event for alice

  @invalid_request
  Scenario: PKCE off, but the provider requires it
    Given the custom provider "acme" behaves as:
      | pkce | required |
    And the custom provider "acme" is defined with:
      | pkce_enabled | false |
    And the app's webhook endpoint receives Pipes events
    When alice connects the custom provider "acme"
    Then the connection fails with diagnosis invalid_request
    And the diagnosis mentions "pkce_enabled"
    And the app received a "pipes.connected_account.connection_failed" event for alice

  @provider_not_configured
  Scenario: A definition that requires scopes, on an integration that requests none
    Given the custom provider "acme" is defined with:
      | scopes_required | true |
      | scopes          | none |
    When alice connects the custom provider "acme"
    Then the connection fails with diagnosis provider_not_configured
    And the diagnosis mentions "scopes_required is true"

  Scenario: Two providers whose slugs start alike, each under its own host
    Given the custom provider "acme" is defined
    And the custom provider "acme-crm" is defined with:
      | refresh_token_url | http://acme-crm.test/refresh |
    And alice has connected the custom provider "acme"
    And alice has connected the custom provider "acme-crm"
    When 2 hours pass
    And the app asks WorkOS for alice's token of the custom provider "acme-crm"
    Then the app gets a token of the custom provider "acme-crm"
    And WorkOS refreshed the token of the custom provider "acme-crm" at "http://acme-crm.test/refresh"
    And alice's connection to the custom provider "acme" is connected
