@tokens
Feature: Token refresh and fresh tokens
  WorkOS refreshes a token a minute before it expires, never earlier, and an
  app that fetches a fresh token before each call never sees an expired one.

  @token_refresh @google
  Scenario: A Google token is refreshed once it is about to expire
    Given the google integration is configured
    And alice has connected google
    When 59 minutes pass
    And the app asks WorkOS for alice's google token
    Then the app gets a google token
    And WorkOS refreshed the google token once
    And google kept alice's refresh token

  @token_refresh @google
  Scenario: A token with plenty of life left is not refreshed
    Given the google integration is configured
    And alice has connected google
    When 30 minutes pass
    And the app asks WorkOS for alice's google token
    Then the app gets a google token
    And WorkOS never refreshed the google token

  @token_refresh
  Scenario Outline: <provider> rotates the refresh token on refresh
    Given the <provider> integration is configured
    And <provider> issues expiring tokens
    And alice has connected <provider>
    When <time> pass
    And the app asks WorkOS for alice's <provider> token
    Then the app gets a <provider> token
    And WorkOS refreshed the <provider> token once
    And <provider> rotated alice's refresh token

    Examples:
      | provider | time     |
      | github   | 9 hours  |
      | slack    | 13 hours |

  @token_refresh @salesforce
  Scenario: Salesforce never says when its session ends, so the app tells WorkOS
    Given the salesforce integration is configured with scopes "api, refresh_token"
    And alice has connected salesforce
    When the app records that alice's salesforce token expires in 2 hours
    And 3 hours pass
    And the app calls GET "/services/data/v59.0/sobjects" on salesforce for alice
    Then the salesforce call succeeds
    And WorkOS refreshed the salesforce token once

  @token_refresh @google
  Scenario: A Google outage at the token endpoint keeps the connection
    Given the google integration is configured
    And alice has connected google
    And google's token endpoint fails the next 1 requests with HTTP 503
    When 2 hours pass
    And the app asks WorkOS for alice's google token
    Then the diagnosis is provider_unavailable
    And alice's google connection is connected
    When the app asks WorkOS for alice's google token
    Then the app gets a google token

  @fresh_token @github
  Scenario: An app that fetches a fresh token asks WorkOS once per call
    Given the github integration is configured
    And alice has connected github
    When the app calls GET "/user" on github for alice
    Then the github call succeeds
    And the app asked WorkOS for a github token once

  @fresh_token @github
  Scenario: A kept token fails after GitHub rotates it
    Given the github integration is configured
    And github issues expiring tokens
    And alice has connected github
    When the app asks WorkOS for alice's github token
    And 9 hours pass
    And the app calls GET "/user" on github for alice
    Then the github call succeeds
    When the app calls GET "/user" on github for alice with the token it fetched first
    Then the call fails with diagnosis token_revoked

  @fresh_token @google
  Scenario: A token the provider ended early is refused, though WorkOS still calls it valid
    Given the google integration is configured
    And alice has connected google
    When alice's google token expires
    And the app calls GET "/v1/userinfo" on google for alice
    Then the call fails with diagnosis token_expired
