@credentials
Feature: Shared credentials in the sandbox, your own OAuth app in production
  In the sandbox an integration can run on WorkOS's shared OAuth apps: no
  provider setup, and the consent screen shows WorkOS's test app. In
  production WorkOS refuses them; each integration needs the team's own
  OAuth app, registered at the provider with the WorkOS redirect URI.

  @github
  Scenario: In the sandbox alice approves WorkOS's shared GitHub app
    Given the github integration is configured
    And alice signs in to github as "alice-codes"
    When alice connects github
    Then alice's github connection is connected
    And alice approved WorkOS's shared github app

  @github
  Scenario: In production alice approves the team's own GitHub app
    Given the github integration uses custom credentials in production
    And the app uses the production API key
    And alice signs in to github as "alice-codes"
    When alice connects github
    Then alice's github connection is connected
    And alice approved the team's own github app
    When the app calls GET "/user" on github for alice
    Then the github call succeeds

  @slack @provider_not_configured
  Scenario: Going to production on shared credentials fails until the team brings its own app
    Given the slack integration is configured in production
    And the app uses the production API key
    And alice signs in to slack as "alice"
    When alice connects slack
    Then the diagnosis is provider_not_configured
    And the diagnosis mentions "Configure custom credentials"
    Given the slack integration uses custom credentials in production
    When alice connects slack
    Then alice's slack connection is connected
    And alice approved the team's own slack app
