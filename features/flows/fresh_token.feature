@fresh_token
Feature: A fresh token before every provider call
  The seeds' rule: fetch the token from WorkOS right before every API call
  and never keep it. A kept token goes stale the moment WorkOS refreshes the
  connection; GitHub answers it with the same "Bad credentials" as a
  revoked one, because when it rotates it retires the old token.

  @github
  Scenario: Three calls, three token requests
    Given the github integration is configured
    And alice signs in to github as "alice-codes"
    And alice has connected github
    When the app calls GET "/user" on github for alice
    And the app calls GET "/user/repos" on github for alice
    And the app calls GET "/user" on github for alice
    Then the github call succeeds
    And the app asked WorkOS for a github token 3 times

  @github @token_refresh
  Scenario: A token kept from the morning fails in the evening; a fresh one works
    Given the github integration is configured
    And github issues expiring tokens
    And alice signs in to github as "alice-codes"
    And alice has connected github
    When the app calls GET "/user" on github for alice
    And 9 hours pass
    And the app calls GET "/user" on github for alice with the token it fetched first
    Then the diagnosis is token_revoked
    And the diagnosis mentions "kept since its first request"
    And the diagnosis mentions "fetch a fresh one from Pipes"
    When the app calls GET "/user" on github for alice
    Then the github call succeeds
    And WorkOS refreshed the github token once

  @github @token_refresh
  Scenario: GitHub saw which token the app sent: the one WorkOS holds, or one WorkOS refreshed since
    Given the github integration is configured
    And github issues expiring tokens
    And alice signs in to github as "alice-codes"
    And alice has connected github
    When the app calls GET "/user" on github for alice
    Then the last github call used the token WorkOS holds for alice and got HTTP 200
    When 9 hours pass
    And the app asks WorkOS for alice's github token
    And the app calls GET "/user" on github for alice with the token it fetched first
    Then the last github call used a stale token for alice and got HTTP 401
    When the app calls GET "/user" on github for alice
    Then the last github call used the token WorkOS holds for alice and got HTTP 200
