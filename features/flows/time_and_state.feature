@time
Feature: Weeks, fractions of an hour, and a connection that is gone
  Time in scenarios moves on the virtual clock, in any unit from
  milliseconds to weeks, with decimals. A connection the app deletes is
  disconnected: WorkOS no longer has it and says so with an event.

  @google
  Scenario: Two weeks away, and the first Google call still gets a working token
    Given the google integration is configured
    And alice signs in to google as "alice@example.com"
    And alice has connected google
    When 2 weeks pass
    And the app calls GET "/v1/userinfo" on google for alice
    Then the google call succeeds
    And WorkOS refreshed the google token once

  @salesforce
  Scenario: A Salesforce session idle for an hour and a half still works
    Given the salesforce integration is configured
    And alice signs in to salesforce as "alice@example.com"
    And alice has connected salesforce
    When 1.5 hours pass
    And the app calls GET "/services/data/v62.0/sobjects" on salesforce for alice
    Then the salesforce call succeeds

  @github
  Scenario: Deleting a connection leaves it disconnected
    Given the app's webhook endpoint receives Pipes events
    And the github integration is configured
    And alice signs in to github as "alice-codes"
    And alice has connected github
    When the app deletes alice's github connection
    Then alice's github connection is disconnected
    And the app received a "pipes.connected_account.disconnected" event for alice
