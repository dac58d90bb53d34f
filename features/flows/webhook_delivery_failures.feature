@webhooks @github
Feature: The app's webhook receiver is down
  WorkOS delivers each Pipes event to the app's webhook endpoint and, when
  the receiver answers with an error or gives no answer within 5 seconds,
  tries again: 30 seconds after the failed attempt, then twice as long after
  each next one, six attempts in all. A receiver that comes back in time
  gets the event; one that stays down misses it, and the app has to read
  the connection's state instead. One that answers too late has handled an
  event WorkOS will send again.

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

  Scenario: The receiver does not answer twice, and the third attempt delivers the event
    Given the app's webhook endpoint does not answer the next 2 deliveries
    When alice connects github
    Then WorkOS tried to deliver the "pipes.connected_account.connected" event 1 times
    And the delivery of the "pipes.connected_account.connected" event is pending
    And the app received no "pipes.connected_account.connected" event
    When 30 seconds pass
    Then WorkOS tried to deliver the "pipes.connected_account.connected" event 2 times
    And the delivery of the "pipes.connected_account.connected" event is pending
    When 1 minute passes
    Then WorkOS tried to deliver the "pipes.connected_account.connected" event 3 times
    And the delivery of the "pipes.connected_account.connected" event is delivered
    And the app received a "pipes.connected_account.connected" event for alice

  Scenario: The receiver never answers, and WorkOS gives up after six attempts
    Given the app's webhook endpoint does not answer the next 10 deliveries
    When alice connects github
    And 1 minute passes
    And 2 minutes pass
    And 3 minutes pass
    And 5 minutes pass
    And 10 minutes pass
    And 1 hour passes
    Then WorkOS tried to deliver the "pipes.connected_account.connected" event 6 times
    And the delivery of the "pipes.connected_account.connected" event is failed
    And the app received no "pipes.connected_account.connected" event
    And alice's github connection is connected

  Scenario: A receiver that answers within WorkOS's timeout gets the event once
    Given the app's webhook endpoint takes 3 seconds to answer the next 1 deliveries
    When alice connects github
    Then WorkOS tried to deliver the "pipes.connected_account.connected" event 1 times
    And the delivery of the "pipes.connected_account.connected" event is delivered

  Scenario: A receiver that answers too late gets the event again
    Given the app's webhook endpoint takes 8 seconds to answer the next 1 deliveries
    When alice connects github
    Then the app received a "pipes.connected_account.connected" event for alice
    But the delivery of the "pipes.connected_account.connected" event is pending
    When 30 seconds pass
    Then WorkOS tried to deliver the "pipes.connected_account.connected" event 2 times
    And the delivery of the "pipes.connected_account.connected" event is delivered
