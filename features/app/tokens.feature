@app @tokens @github
Feature: Your app asks WorkOS for the token before every provider call
  WorkOS refreshes, rotates and replaces tokens: a reconnect issues new ones.
  An app that keeps a token (in memory, a cache, its database) keeps calling
  the provider with a stale one. The provider's request log shows which token
  the app really sent.

  Background:
    Given the app under test

  Scenario: After a reconnect the app calls GitHub with the new token
    Given alice has connected github through the app as "alice-codes"
    When the app calls github for alice
    Then github saw the token WorkOS holds for alice
    When alice connects github through the app again
    And the app calls github for alice
    Then the app answers with alice's github profile
    And github saw the token WorkOS holds for alice
