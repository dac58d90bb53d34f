@faults
Feature: Provider faults, named and with parameters
  Providers go down, answer slowly, send garbage and throttle. The app should
  retry what can be retried and report clearly what cannot.

  Scenario Outline: <provider> is briefly down with HTTP <status>
    Given the <provider> integration is configured
    And alice has connected <provider>
    And <provider> fails the next 2 calls with HTTP <status>
    When the app calls GET "<path>" on <provider> for alice
    Then the <provider> call succeeds
    And the app backed off 2 times

    Examples:
      | provider   | status | path                          |
      | google     | 503    | /v1/userinfo                  |
      | github     | 502    | /user                         |
      | salesforce | 500    | /services/data/v59.0/sobjects |

  Scenario: A provider that stays down is diagnosed as unavailable
    Given the slack integration is configured
    And alice has connected slack
    And slack suffers the fault "server_error status=502"
    When the app calls GET "/api/auth.test" on slack for alice
    Then the call fails with diagnosis provider_unavailable
    And the app backed off 3 times

  Scenario: A rate limit with a retry time written as a fault
    Given the slack integration is configured
    And alice has connected slack
    And slack suffers the fault "rate_limit retry_after=5" on the next 3 calls
    When the app calls GET "/api/auth.test" on slack for alice
    Then the slack call succeeds
    And the app waited 5 seconds before each retry

  Scenario: GitHub answers rate limits with a 429 when asked to
    Given the github integration is configured
    And alice has connected github
    And github suffers the fault "rate_limit status=429 retry_after=3" on the next 1 calls
    When the app calls GET "/user" on github for alice
    Then the github call succeeds
    And the app waited 3 seconds before each retry

  Scenario: A truncated body is reported as malformed
    Given the google integration is configured
    And alice has connected google
    And google suffers the fault "malformed_body"
    When the app calls GET "/v1/userinfo" on google for alice
    Then the call fails with diagnosis malformed_response

  Scenario: A slow answer past the app's timeout is retried
    Given the github integration is configured
    And alice has connected github
    And github takes 30 seconds to answer the next 1 calls
    When the app calls GET "/user" on github for alice
    Then the github call succeeds
    And the app backed off 1 times

  Scenario: Latency written as a fault with milliseconds
    Given the github integration is configured
    And alice has connected github
    And github suffers the fault "latency ms=2000" on the next 1 calls
    When the app calls GET "/user" on github for alice
    Then the github call succeeds
    And the app backed off 0 times

  Scenario: A refused refresh written as a fault on the token endpoint
    Given the slack integration is configured
    And slack issues expiring tokens
    And alice has connected slack
    And slack suffers the fault "invalid_grant_on_refresh"
    When 13 hours pass
    And the app asks WorkOS for alice's slack token
    Then WorkOS's refresh of the slack token was refused with diagnosis refresh_failed
    And alice's slack connection is needs_reauthorization

  Scenario: A regenerated client secret breaks the code exchange
    Given the salesforce integration uses custom credentials
    And salesforce regenerates the app's client secret
    When alice connects salesforce
    Then the connection fails with diagnosis invalid_client

  Scenario: A token endpoint outage written as a fault with on=token
    Given the google integration is configured
    And alice has connected google
    And google suffers the fault "server_error status=503 on=token" on the next 1 calls
    When 2 hours pass
    And the app asks WorkOS for alice's google token
    Then the diagnosis is provider_unavailable
    And alice's google connection is connected
