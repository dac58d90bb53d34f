@github @connect
Feature: Connect GitHub through Pipes
  A user connects their GitHub account from the app. WorkOS runs the OAuth
  flow with GitHub, stores the token, and the app asks WorkOS for a fresh
  token before every GitHub call instead of keeping one itself.

  Background:
    Given the github integration is configured with scopes "repo, user:email"

  Scenario: Alice connects GitHub and the app reads her profile
    Given alice signs in to github as "alice-codes"
    When alice connects github
    Then alice's github connection is connected
    And alice's github connection has scopes "repo, user:email"
    When the app calls GET "/user" on github for alice
    Then the github call succeeds
    And the response field "login" is "alice-codes"

  Scenario: Each user who names no login signs in with their own GitHub account
    Given alice signs in to github as "alice-codes"
    When alice connects github
    And bob connects github
    And the app calls GET "/user" on github for bob
    Then the github call succeeds
    And the response field "login" is "bob"
    When the app calls GET "/user" on github for alice
    Then the response field "login" is "alice-codes"
