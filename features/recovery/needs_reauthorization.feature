@needs_reauthorization
Feature: The connection needs the user again
  Some connections cannot be kept alive by WorkOS alone: the token expired
  and there is no refresh token to renew it, the user revoked the app at the
  provider, or the integration now asks for scopes the user never granted.
  The first two make the token endpoint answer active:false with
  error:needs_reauthorization; the third still hands out the old token but
  lists the new scopes under missing_scopes. Every case ends the same way:
  the app asks the user to reconnect, and the connection works again.

  @github
  Scenario: A token imported without a refresh token expires
    Connections migrated from another OAuth setup often carry only an access
    token. Once it expires there is nothing to refresh it with; the provider
    has to be set up to issue refresh tokens (offline access) and the user
    has to connect once more.
    Given the github integration is configured
    And github issues expiring tokens
    And alice signs in to github as "alice-codes"
    And alice's github connection was imported without a refresh token, expiring in 1 hour
    When 2 hours pass
    And the app asks WorkOS for alice's github token
    Then the diagnosis is needs_reauthorization
    And the diagnosis explains the root cause and the fix
    And WorkOS never refreshed the github token
    And alice's github connection is needs_reauthorization
    When alice reconnects github
    And 2 hours pass
    And the app asks WorkOS for alice's github token
    Then the app gets a github token

  @google
  Scenario: Alice revoked the app at Google, so WorkOS cannot refresh
    Given the google integration is configured
    And alice signs in to google as "alice@example.com"
    And alice has connected google
    When google revokes alice's token
    And 2 hours pass
    And the app calls GET "/v1/userinfo" on google for alice
    Then the call fails with diagnosis needs_reauthorization
    And the app asked WorkOS for a google token once
    And alice's google connection is needs_reauthorization
    When alice reconnects google
    And the app calls GET "/v1/userinfo" on google for alice
    Then the google call succeeds
    And alice's google connection is connected

  @github
  Scenario: The integration asks for more scopes than alice granted
    Given the github integration is configured with scopes "repo"
    And alice signs in to github as "alice-codes"
    And alice has connected github
    When the github integration's scopes are changed to "repo, read:org"
    And the app asks WorkOS for alice's github token
    Then the github token is missing the scopes "read:org"
    And the diagnosis is needs_reauthorization
    And alice's github connection has scopes "repo"
    When alice reconnects github
    And the app asks WorkOS for alice's github token
    Then the github token has every scope the integration asks for
    And alice's github connection has scopes "repo, read:org"
