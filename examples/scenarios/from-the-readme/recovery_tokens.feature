@recovery
Feature: Recovering when a connection's tokens stop working
  Tokens get revoked, refreshes get refused and connections go missing.
  The app must learn which of these happened and what to ask the user.

  Background:
    Given the github integration is configured
    And the google integration is configured
    And the slack integration is configured
    And the salesforce integration is configured with scopes "api, refresh_token"

  @connection_not_found
  Scenario: The app asks for a token of a user who never connected
    When the app asks WorkOS for bob's github token
    Then the diagnosis is connection_not_found
    And the diagnosis explains the root cause and the fix

  @connection_not_found
  Scenario: The app stored the wrong user id
    Given alice has connected github
    When the app asks WorkOS for a github token for the user id "user_01HZZZZZZZZZZZZZZZZZZZZZZZ"
    Then the diagnosis is connection_not_found

  @connection_not_found
  Scenario: A deleted connection is gone
    Given alice has connected slack
    When the app deletes alice's slack connection
    And the app asks WorkOS for alice's slack token
    Then the diagnosis is connection_not_found
    And alice has no slack connection

  @token_revoked @github
  Scenario: The user removed the app at GitHub
    Given alice has connected github
    When github revokes alice's token
    And the app calls GET "/user" on github for alice
    Then the call fails with diagnosis token_revoked
    And the diagnosis explains the root cause and the fix

  @refresh_failed @github
  Scenario: GitHub refuses WorkOS's refresh of an expiring token
    Given github issues expiring tokens
    And alice has connected github
    And github refuses the next 1 token refreshes
    When 9 hours pass
    And the app asks WorkOS for alice's github token
    Then WorkOS's refresh of the github token was refused with diagnosis refresh_failed
    And alice's github connection is needs_reauthorization

  @invalid_grant
  Scenario Outline: <provider> refresh token revoked
    Given alice has connected <provider>
    When the app records that alice's <provider> token expires in 1 hour
    And <provider> revokes alice's refresh token
    And 2 hours pass
    And the app asks WorkOS for alice's <provider> token
    Then WorkOS's refresh of the <provider> token was refused with diagnosis invalid_grant
    And the diagnosis is invalid_grant
    And alice's <provider> connection is needs_reauthorization

    Examples:
      | provider   |
      | google     |
      | salesforce |

  @needs_reauthorization
  Scenario: An imported token with no refresh token expires
    Given alice's github connection was imported without a refresh token, expiring in 1 hour
    When 2 hours pass
    And the app asks WorkOS for alice's github token
    Then the diagnosis is needs_reauthorization
    And alice's github connection is needs_reauthorization

  @needs_reauthorization
  Scenario: Scopes added to the integration after the user connected
    Given the github integration is configured with scopes "repo, user:email"
    And alice has connected github
    When the github integration's scopes are changed to "repo, user:email, read:org"
    And the app asks WorkOS for alice's github token
    Then the github token is missing the scopes "read:org"
    When alice reconnects github
    And the app asks WorkOS for alice's github token
    Then the github token has every scope the integration asks for

  @insufficient_scopes
  Scenario Outline: <provider> refuses a call the token has no scope for
    Given alice has connected <provider>
    And <provider> suffers the fault "insufficient_scope needed=<scope>" on the next 1 calls
    When the app calls GET "<path>" on <provider> for alice
    Then the call fails with diagnosis insufficient_scopes
    And the diagnosis explains the root cause and the fix

    Examples:
      | provider | scope    | path                |
      | github   | read:org | /user               |
      | slack    | channels:read | /api/conversations.list |
