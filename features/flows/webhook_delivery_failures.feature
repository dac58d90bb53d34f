@webhooks @github
Feature: The app's webhook receiver is down
  WorkOS delivers each Pipes event to the app's webhook endpoint and, when
  the receiver answers an error, tries again: 30 seconds after the first
  failure, then twice as long after each next one, six attempts in all. A
  receiver that comes back in time gets the event; one that stays down
  misses it, and the app has to read the connection's state instead.

  Background:
    Given the app's webhook endpoint receives Pipes events
    And the github integration is configured
    And alice signs in to github as "alice-codes"

  Scenario: The receiver answers 503 twice, and the third attempt delivers the event
    Given the app's webhook endpoint fails the next 2 deliveries with HTTP 503
    When alice connects github
    Then the app received no "pipes.connected_account.connected" event
    When 30 seconds pass
    Then WorkOS tried to deliver the "pipes.connected_account.connected" event 2 times
    And the app received no "pipes.connected_account.connected" event
    When 1 minute passes
    Then WorkOS tried to deliver the "pipes.connected_account.connected" event 3 times
    And the app received a "pipes.connected_account.connected" event for alice

  Scenario: The receiver stays down, and WorkOS gives up after six attempts
    Given the app's webhook endpoint fails the next 10 deliveries with HTTP 500
    When alice connects github
    And 30 seconds pass
    And 1 minute passes
    And 2 minutes pass
    And 4 minutes pass
    And 8 minutes pass
    And 1 hour passes
    Then WorkOS tried to deliver the "pipes.connected_account.connected" event 6 times
    And the app received no "pipes.connected_account.connected" event
    And alice's github connection is connected
