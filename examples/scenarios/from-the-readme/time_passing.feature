@time
Feature: Time passing on the virtual clock
  Tokens, codes and sessions age while nobody waits. Hours pass in milliseconds.

  Scenario Outline: <provider> tokens outlive <time> only through a refresh
    Given the <provider> integration is configured
    And <provider> issues expiring tokens
    And alice has connected <provider>
    When <time> pass
    And the app calls GET "<path>" on <provider> for alice
    Then the <provider> call succeeds
    And WorkOS refreshed the <provider> token once

    Examples:
      | provider | time     | path         |
      | google   | 2 hours  | /v1/userinfo |
      | github   | 9 hours  | /user        |

  Scenario: Tokens that never expire are never refreshed, even after a day
    Given the github integration is configured
    And alice has connected github
    When 1 day passes
    And the app calls GET "/user" on github for alice
    Then the github call succeeds
    And WorkOS never refreshed the github token

  Scenario: Minutes pass without a refresh
    Given the google integration is configured
    And alice has connected google
    When 10 minutes pass
    And the app asks WorkOS for alice's google token
    Then WorkOS never refreshed the google token

  Scenario: The app's recorded expiry passes
    Given the salesforce integration is configured
    And alice's salesforce connection was imported without a refresh token, expiring in 1 hour
    When 1 hour passes
    And the app asks WorkOS for alice's salesforce token
    Then the diagnosis is needs_reauthorization
