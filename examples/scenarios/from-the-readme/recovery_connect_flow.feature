@recovery
Feature: Recovering from a broken connect flow
  When connecting fails, the team needs to know why and what to change:
  a callback URL that is not exactly WorkOS's, a scope the provider app
  is not approved for, an authorization code redeemed late or twice.

  @redirect_uri_mismatch
  Scenario Outline: A callback URL off by <mistake> on <provider> is diagnosed and fixed
    Given the <provider> integration uses custom credentials
    And the <provider> OAuth app's callback URL is "<callback>"
    When alice connects <provider>
    Then the connection fails with diagnosis redirect_uri_mismatch
    And the diagnosis explains the root cause and the fix
    When the <provider> OAuth app's callback URL is corrected to the WorkOS redirect URI
    And alice connects <provider>
    Then alice's <provider> connection is connected

    Examples:
      | provider   | mistake          | callback                                      |
      | github     | a trailing slash | http://workos.test/sso/callback/github/       |
      | slack      | the scheme       | https://workos.test/sso/callback/slack        |
      | google     | a typo           | http://workos.test/sso/calback/google         |
      | salesforce | a trailing slash | http://workos.test/sso/callback/salesforce/   |

  @redirect_uri_mismatch @github
  Scenario: GitHub shows its warning page for an unregistered callback
    Given the github integration is configured
    And github shows an error page for unregistered redirect URIs
    And github has another callback URL registered for the app
    When alice connects github
    Then the connection fails with diagnosis redirect_uri_mismatch

  @invalid_scope @google
  Scenario: The Google app is not approved for a scope the integration asks for
    Given the google integration uses custom credentials
    And the google OAuth app allows only the scopes "openid, email"
    When alice connects google
    Then the connection fails with diagnosis invalid_scope
    And the diagnosis explains the root cause and the fix

  @invalid_scope @github
  Scenario: GitHub stops allowing a scope
    Given the github integration is configured with scopes "repo, user:email"
    And github no longer allows the scope "repo"
    When alice connects github
    Then the connection fails with diagnosis invalid_scope

  @code_expired_or_reused
  Scenario Outline: An authorization code that comes back too late on <provider>
    Given the <provider> integration is configured
    And alice's browser takes <delay> to come back from <provider>
    When alice connects <provider>
    Then the connection fails with diagnosis code_expired_or_reused
    And the diagnosis explains the root cause and the fix

    Examples:
      | provider   | delay      |
      | github     | 11 minutes |
      | salesforce | 16 minutes |

  @code_expired_or_reused @slack
  Scenario: A Slack code redeemed twice
    Given the slack integration is configured
    And slack's next authorization code is already used when WorkOS redeems it
    When alice connects slack
    Then the connection fails with diagnosis code_expired_or_reused
    And the diagnosis mentions "code_already_used"

  @access_denied
  Scenario: A user who clicks deny is not connected
    Given the slack integration is configured
    And alice denies consent on slack
    When alice connects slack
    Then the connection fails with diagnosis access_denied
    And alice has no slack connection
