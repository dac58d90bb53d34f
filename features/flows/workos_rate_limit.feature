@workos_rate_limit @github
Feature: WorkOS's own rate limit
  WorkOS limits how many requests one API key makes in a window of time
  and answers 429 rate_limit_exceeded with a Retry-After beyond it. An app
  that asks for a token before every provider call spends one request per
  call, so a busy app meets this limit before any provider's.

  Background:
    Given the github integration is configured
    And alice signs in to github as "alice-codes"
    And alice has connected github

  Scenario: The third token request within a minute is refused, and the next minute is fine
    Given WorkOS rate-limits the app to 2 requests per 1 minute
    When the app asks WorkOS for alice's github token
    And the app asks WorkOS for alice's github token
    Then the app gets a github token
    When the app asks WorkOS for alice's github token
    Then the diagnosis is rate_limited
    And the diagnosis mentions "429"
    When 1 minute passes
    And the app asks WorkOS for alice's github token
    Then the app gets a github token

  Scenario: A provider call whose token request WorkOS refuses fails as rate limited
    Given WorkOS rate-limits the app to 2 requests per 1 hour
    When the app calls GET "/user" on github for alice
    And the app calls GET "/user" on github for alice
    Then the github call succeeds
    When the app calls GET "/user" on github for alice
    Then the call fails with diagnosis rate_limited
    And the app asked WorkOS for a github token 6 times
