@token_refresh
Feature: WorkOS refreshes tokens before they expire
  The app never refreshes a provider token itself. It asks WorkOS for a
  token right before each call; WorkOS hands out the one it holds while it
  has more than a minute to live and refreshes it with the provider when it
  has less. The app sees a working token either way.

  @github
  Scenario: An hour into an eight-hour GitHub token nothing is refreshed
    Given the github integration is configured
    And github issues expiring tokens
    And alice signs in to github as "alice-codes"
    And alice has connected github
    When 1 hour passes
    And the app calls GET "/user" on github for alice
    Then the github call succeeds
    And WorkOS never refreshed the github token

  @github
  Scenario: A minute before the GitHub token expires, WorkOS refreshes it
    Given the github integration is configured
    And github issues expiring tokens
    And alice signs in to github as "alice-codes"
    And alice has connected github
    When 479 minutes pass
    And the app calls GET "/user" on github for alice
    Then the github call succeeds
    And WorkOS refreshed the github token once
    And github rotated alice's refresh token

  @google
  Scenario: Google tokens last an hour, so every hour brings a refresh
    Given the google integration is configured
    And alice signs in to google as "alice@example.com"
    And alice has connected google
    When 59 minutes pass
    And the app calls GET "/v1/userinfo" on google for alice
    Then the google call succeeds
    And WorkOS refreshed the google token once
    And google kept alice's refresh token
