@webhooks
Feature: WorkOS tells the app when a connection changes
  An app subscribed to the pipes.connected_account events learns about each
  change without polling: a user connected, the connection failed, it needs
  the user again, it was removed. Each delivery is signed with the
  endpoint's secret and verifies over the raw body it arrived with.

  Background:
    Given the app's webhook endpoint receives Pipes events

  @github
  Scenario: Connecting GitHub sends a connected event
    Given the github integration is configured
    And alice signs in to github as "alice-codes"
    When alice connects github
    Then the app received a "pipes.connected_account.connected" event for alice
    And the app received no "pipes.connected_account.connection_failed" event

  @slack
  Scenario: Denying consent sends a connection_failed event
    Given the slack integration is configured
    And alice signs in to slack as "alice"
    And alice denies consent on slack
    When alice connects slack
    Then the connection fails with diagnosis access_denied
    And the app received a "pipes.connected_account.connection_failed" event for alice
    And the app received no "pipes.connected_account.connected" event

  @google
  Scenario: A refresh Google refuses sends a reauthorization_needed event
    Given the google integration is configured
    And alice signs in to google as "alice@example.com"
    And alice has connected google
    When google revokes alice's refresh token
    And 2 hours pass
    And the app asks WorkOS for alice's google token
    Then the diagnosis is needs_reauthorization
    And the app received a "pipes.connected_account.reauthorization_needed" event for alice

  @github
  Scenario: Deleting the connection sends a disconnected event
    Given the github integration is configured
    And alice signs in to github as "alice-codes"
    And alice has connected github
    When the app deletes alice's github connection
    Then the app received a "pipes.connected_account.disconnected" event for alice
    And alice has no github connection

  @google
  Scenario: Reconnecting after reauthorization sends a connected event again
    Given the google integration is configured
    And alice signs in to google as "alice@example.com"
    And alice has connected google
    When google revokes alice's token
    And 2 hours pass
    And the app asks WorkOS for alice's google token
    And alice reconnects google
    Then the app received a "pipes.connected_account.reauthorization_needed" event for alice
    And the app received a "pipes.connected_account.connected" event for alice
    And alice's google connection is connected
