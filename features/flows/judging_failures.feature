@failures
Feature: Judging a failure by what the app was doing
  A connect flow fails wherever it fails: at WorkOS's authorize call, at the
  provider, or on the way back. A provider call fails wherever it fails too:
  fetching the token from WorkOS is part of the call. So "the connection
  fails with" and "the call fails with" judge the last connect flow and the
  last call, whichever service refused.

  @slack
  Scenario: Connecting Slack with no Slack integration fails as not configured
    Given alice signs in to slack as "alice"
    When alice connects slack
    Then the connection fails with diagnosis provider_not_configured

  @github
  Scenario: Connecting through a disabled GitHub integration fails as not configured
    Given the github integration is disabled
    And alice signs in to github as "alice-codes"
    When alice connects github
    Then the connection fails with diagnosis provider_not_configured

  @github
  Scenario: Connecting with a key from another WorkOS account fails as an invalid key
    Given the github integration is configured
    And alice signs in to github as "alice-codes"
    And the app uses an API key from another WorkOS account
    When alice connects github
    Then the connection fails with diagnosis invalid_api_key

  @github @credentials
  Scenario: Connecting in production on shared credentials fails as not configured
    Given the github integration is configured in production
    And the app uses the production API key
    And alice signs in to github as "alice-codes"
    When alice connects github
    Then the connection fails with diagnosis provider_not_configured

  @github
  Scenario: A GitHub call made with a revoked WorkOS key fails as an invalid key
    Given the github integration is configured
    And alice signs in to github as "alice-codes"
    And alice has connected github
    And the app's WorkOS API key was revoked
    When the app calls GET "/user" on github for alice
    Then the call fails with diagnosis invalid_api_key
    And the app backed off 0 times

  @github
  Scenario: A GitHub call for someone who never connected fails as not found
    Given the github integration is configured
    When the app calls GET "/user" on github for alice
    Then the call fails with diagnosis connection_not_found
