@recovery
Feature: Recovering from WorkOS set-up mistakes
  API keys pasted wrong, integrations missing or off, and code copied from
  outdated docs are the first things to go wrong. Each gets a clear diagnosis.

  Background:
    Given the github integration is configured

  @invalid_api_key
  Scenario Outline: The app's WorkOS key is <problem>
    Given alice has connected github
    And <setup>
    When the app asks WorkOS for alice's github token
    Then the diagnosis is invalid_api_key
    And the diagnosis explains the root cause and the fix

    Examples:
      | problem                     | setup                                                              |
      | missing                     | the app has no WorkOS API key                                      |
      | the client ID               | the app's WorkOS API key is "client_01HZZZZZZZZZZZZZZZZZZZZZZZ" |
      | revoked                     | the app's WorkOS API key was revoked                               |
      | from another account        | the app uses an API key from another WorkOS account                |

  @connection_not_found
  Scenario: The app uses the production key for a sandbox connection, then switches
    Given the github integration uses custom credentials in production
    And alice has connected github
    And the app uses the production API key
    When the app asks WorkOS for alice's github token
    Then the diagnosis is connection_not_found
    When the app switches to the sandbox API key
    And the app asks WorkOS for alice's github token
    Then the app gets a github token

  @provider_not_configured
  Scenario: Slack was never set up
    When alice connects slack
    Then the connection fails with diagnosis provider_not_configured

  @provider_not_configured
  Scenario: Slack is switched off in the dashboard
    Given the slack integration is disabled
    When alice connects slack
    Then the connection fails with diagnosis provider_not_configured
    And the diagnosis explains the root cause and the fix

  @provider_not_configured @credentials
  Scenario: Production refuses WorkOS's shared credentials
    Given the google integration is configured in production
    And the app uses the production API key
    When alice connects google
    Then the connection fails with diagnosis provider_not_configured

  @credentials
  Scenario: Production works with the team's own OAuth app
    Given the google integration uses custom credentials in production
    And the app uses the production API key
    When alice connects google
    Then alice approved the team's own google app
    And alice's google connection is connected

  @sdk_version_mismatch
  Scenario Outline: Calling <what> from outdated docs
    When the app calls the SDK method "<method>"
    Then the diagnosis is sdk_version_mismatch
    And the diagnosis mentions "<instead>"

    Examples:
      | what           | method                       | instead        |
      | makeRequest    | workos.pipes.makeRequest     | getAccessToken |
      | listProviders  | workos.pipes.listProviders   | listUserDataProviders |

  @sdk_version_mismatch
  Scenario: An old route answers 404 and the real route is named
    When the app sends GET "/pipes/connections" to WorkOS
    Then WorkOS answers HTTP 404
    And the diagnosis is sdk_version_mismatch
    And the diagnosis mentions "/data-integrations"

  Scenario: A WorkOS route that exists answers 200
    When the app sends GET "/data-integrations" to WorkOS
    Then WorkOS answers HTTP 200
    And no failure was diagnosed
