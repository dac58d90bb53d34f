@custom_provider
Feature: Our billing provider, defined as a custom provider
  We connect users to "billing", a provider WorkOS does not ship, with a
  custom_provider definition. Written from the README's "Custom providers"
  section only: its provider wants the client secret in the body, splits
  scopes on commas and rotates refresh tokens.

  Background:
    Given the custom provider "billing" behaves as:
      | client_authentication | client_secret_post          |
      | scope_separator       | comma                       |
      | scopes                | invoices.read, invoices.pay |
      | refresh_tokens        | rotated                     |
      | access_token_lifetime | 30 minutes                  |
    And the custom provider "billing" is defined with:
      | request_scope_separator | comma                        |
      | scopes                  | invoices.read, invoices.pay  |
      | refresh_token_url       | http://billing.test/refresh  |
    And the app's webhook endpoint receives Pipes events

  Scenario: Bob connects billing, and WorkOS keeps his token fresh
    Given bob signs in to the custom provider "billing" as "bob@billing.test"
    When bob connects the custom provider "billing"
    Then bob's connection to the custom provider "billing" is connected
    And bob's connection to the custom provider "billing" is the account "bob@billing.test"
    And the authorize page of the custom provider "billing" received the scope "invoices.read,invoices.pay"
    And WorkOS authenticated to the custom provider "billing" with client_secret_post
    And the app received a "pipes.connected_account.connected" event for bob
    When 1 hour passes
    And the app asks WorkOS for bob's token of the custom provider "billing"
    Then the app gets a token of the custom provider "billing"
    And WorkOS refreshed the token of the custom provider "billing" at "http://billing.test/refresh"
    And the custom provider "billing" rotated bob's refresh token

  Scenario: Billing revokes Bob's tokens, so WorkOS asks him to reconnect
    Given bob has connected the custom provider "billing"
    When the custom provider "billing" revokes bob's tokens
    And the app calls the userinfo endpoint of the custom provider "billing" for bob
    Then the call fails with diagnosis token_revoked
    When 1 hour passes
    And the app asks WorkOS for bob's token of the custom provider "billing"
    Then the diagnosis is needs_reauthorization
    And bob's connection to the custom provider "billing" is needs_reauthorization
    And the app received a "pipes.connected_account.reauthorization_needed" event for bob

  Scenario: Sending the secret as HTTP Basic is refused by billing
    Given the custom provider "billing" is defined with:
      | request_scope_separator | comma                       |
      | scopes                  | invoices.read, invoices.pay |
      | authenticate_via        | basic_auth_header           |
    When bob connects the custom provider "billing"
    Then the connection fails with diagnosis invalid_client
    And the diagnosis explains the root cause and the fix
    And the app received a "pipes.connected_account.connection_failed" event for bob
