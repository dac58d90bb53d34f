@providers @outages @token_refresh
Feature: The provider's token endpoint is down while WorkOS refreshes
  WorkOS refreshes an expiring token with the provider's token endpoint
  right before handing it to the app. When that endpoint answers a 5xx, a
  rate limit or nothing at all, the grant is not dead: the provider is
  having a bad minute. WorkOS answers the app's token request with a
  retryable 503, keeps the connection connected, and refreshes again on the
  next request. Only a refused refresh ends the grant.

  Background:
    Given the app's webhook endpoint receives Pipes events

  @google
  Scenario: Google's token endpoint answers 503 once, and the next request refreshes
    Given the google integration is configured
    And alice signs in to google as "alice@example.com"
    And alice has connected google
    And google's token endpoint fails the next 1 requests with HTTP 503
    When 59 minutes pass
    And the app calls GET "/v1/userinfo" on google for alice
    Then the google call succeeds
    And the transcript notes "WorkOS answered the token request with HTTP 503"
    And alice's google connection is connected
    And the app received no "pipes.connected_account.reauthorization_needed" event

  @google
  Scenario: Google's token endpoint stays down, the call fails as unavailable and the grant survives
    Given the google integration is configured
    And alice signs in to google as "alice@example.com"
    And alice has connected google
    And google's token endpoint fails the next 4 requests with HTTP 502
    When 59 minutes pass
    And the app calls GET "/v1/userinfo" on google for alice
    Then the call fails with diagnosis provider_unavailable
    And alice's google connection is connected
    And the app received no "pipes.connected_account.reauthorization_needed" event
    When the app calls GET "/v1/userinfo" on google for alice
    Then the google call succeeds

  @slack
  Scenario: Slack rate-limits WorkOS's refresh, and the app gets its token on the retry
    Given the slack integration is configured
    And slack issues expiring tokens
    And alice signs in to slack as "alice"
    And alice has connected slack
    And slack's token endpoint rate-limits the next 1 requests
    When 12 hours pass
    And the app asks WorkOS for alice's slack token
    Then the diagnosis is provider_unavailable
    And alice's slack connection is connected
    When the app asks WorkOS for alice's slack token
    Then the app gets a slack token

  @github
  Scenario: GitHub's token endpoint is slow during the refresh, and the token still arrives
    Given the github integration is configured
    And github issues expiring tokens
    And alice signs in to github as "alice-codes"
    And alice has connected github
    And github's token endpoint takes 5 seconds to answer the next 1 requests
    When 8 hours pass
    And the app calls GET "/user" on github for alice
    Then the github call succeeds
    And WorkOS refreshed the github token once

  @slack
  Scenario: A refused refresh still ends the grant, unlike an outage
    Given the slack integration is configured
    And slack issues expiring tokens
    And alice signs in to slack as "alice"
    And alice has connected slack
    And slack refuses the next 1 token refreshes
    When 12 hours pass
    And the app asks WorkOS for alice's slack token
    Then the diagnosis is needs_reauthorization
    And alice's slack connection is needs_reauthorization
    And the app received a "pipes.connected_account.reauthorization_needed" event for alice
