@recovery @rate_limited
Feature: Riding out provider rate limits
  Every provider throttles in its own format. The app should wait as the provider
  asks, back off when it gives no hint, and give up after four attempts.

  Scenario Outline: <provider> rate-limits two calls and the app waits it out
    Given the <provider> integration is configured
    And alice has connected <provider>
    And <provider> rate-limits the next 2 calls with Retry-After 2
    When the app calls GET "<path>" on <provider> for alice
    Then the <provider> call succeeds
    And the app waited 2 seconds before each retry
    And the app backed off 2 times
    And the transcript notes "honouring Retry-After: 2"

    Examples:
      | provider | path                    |
      | slack    | /api/conversations.list |
      | github   | /user                   |
      | google   | /v1/userinfo            |

  @salesforce
  Scenario: Salesforce gives no retry hint, so the app backs off with jitter
    Given the salesforce integration is configured
    And alice has connected salesforce
    And salesforce rate-limits the next 2 calls
    When the app calls GET "/services/data/v59.0/sobjects" on salesforce for alice
    Then the salesforce call succeeds
    And the app backed off exponentially with jitter

  @github
  Scenario: The app gives up after four attempts
    Given the github integration is configured
    And alice has connected github
    And github rate-limits the next 5 calls with Retry-After 1
    When the app calls GET "/user" on github for alice
    Then the call fails with diagnosis rate_limited
    And the app backed off 3 times
    And the app asked WorkOS for a github token 4 times
    And the diagnosis explains the root cause and the fix

  @github
  Scenario: GitHub's secondary rate limit
    Given the github integration is configured
    And alice has connected github
    And github hits its secondary rate limit on the next 1 calls
    When the app calls GET "/user" on github for alice
    Then the github call succeeds
    And the app backed off 1 times
