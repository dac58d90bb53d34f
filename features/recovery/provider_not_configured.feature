@provider_not_configured
Feature: The provider is not configured in this environment
  Before anyone can connect, the environment the app's API key belongs to
  needs an enabled integration for the provider, and in production one
  that uses the team's own OAuth app: WorkOS's shared credentials are for
  the sandbox only. Otherwise WorkOS refuses the authorize call itself and
  the user never sees a consent screen.

  @slack
  Scenario: Nobody set up the Slack integration
    Given alice signs in to slack as "alice"
    When alice connects slack
    Then the diagnosis is provider_not_configured
    And the diagnosis mentions "Data integration not found"
    And the diagnosis explains the root cause and the fix

  @github
  Scenario: The GitHub integration is switched off
    Given the github integration is disabled
    And alice signs in to github as "alice-codes"
    When alice connects github
    Then the diagnosis is provider_not_configured
    And the diagnosis mentions "disabled"

  @github
  Scenario: The integration exists only in production, the app runs on the sandbox key
    Given the github integration uses custom credentials in production
    And alice signs in to github as "alice-codes"
    When alice connects github
    Then the diagnosis is provider_not_configured
    And the diagnosis mentions "Data integration not found"

  @github @credentials
  Scenario: Production refuses WorkOS's shared credentials
    Given the github integration is configured in production
    And the app uses the production API key
    And alice signs in to github as "alice-codes"
    When alice connects github
    Then the diagnosis is provider_not_configured
    And the diagnosis mentions "Shared credentials are only available in sandbox environments"
