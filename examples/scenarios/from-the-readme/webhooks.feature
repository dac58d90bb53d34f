@webhooks
Feature: Webhooks about connections
  The app learns about connections through signed webhooks. Every Pipes event
  must reach it, and a receiver that verifies wrongly must be caught.

  Background:
    Given the github integration is configured
    And the app's webhook endpoint receives Pipes events

  Scenario: Connecting sends a signed "connected" event
    When alice connects github
    Then the app received a "pipes.connected_account.connected" event for alice
    And the app received no "pipes.connected_account.disconnected" event

  Scenario: Disconnecting sends a "disconnected" event
    Given alice has connected github
    When the app deletes alice's github connection
    Then the app received a "pipes.connected_account.disconnected" event for alice

  Scenario: A denied consent sends a "connection_failed" event
    Given alice denies consent on github
    When alice connects github
    Then the app received a "pipes.connected_account.connection_failed" event for alice

  Scenario: A refused refresh sends a "reauthorization_needed" event
    Given the google integration is configured
    And alice has connected google
    When google revokes alice's refresh token
    And 2 hours pass
    And the app asks WorkOS for alice's google token
    Then the app received a "pipes.connected_account.reauthorization_needed" event for alice

  Scenario: A receiver that verifies the raw body accepts the delivery
    Given alice has connected github
    When the app verifies the "pipes.connected_account.connected" event as delivered
    Then the webhook verifies

  @webhook_signature_invalid
  Scenario Outline: A receiver that verifies <how> rejects it as <reason>
    Given alice has connected github
    When the app verifies the "pipes.connected_account.connected" event <how>
    Then the webhook is rejected as <reason>
    And the diagnosis is webhook_signature_invalid

    Examples:
      | how                                   | reason              |
      | with the wrong secret                 | signature_mismatch  |
      | after re-serializing its JSON         | signature_mismatch  |
      | after someone changed its body        | signature_mismatch  |
      | without its signature header          | missing_header      |
      | with a mangled signature header       | malformed_header    |

  @webhook_signature_invalid
  Scenario: A delivery verified too late is stale
    Given alice has connected github
    When 5 minutes pass
    And the app verifies the "pipes.connected_account.connected" event as delivered
    Then the webhook is rejected as timestamp_too_old

  @webhook_signature_invalid
  Scenario: A receiver whose clock lags sees a delivery from the future
    Given alice has connected github
    When the app verifies the "pipes.connected_account.connected" event with its clock 5 minutes behind
    Then the webhook is rejected as timestamp_in_future
    And the diagnosis explains the root cause and the fix

  @webhook_signature_invalid
  Scenario: A receiver that accepts another event's signature is caught
    Given alice has connected github
    And bob has connected github
    When the app verifies the "pipes.connected_account.connected" event with the signature of another event
    Then the webhook is rejected as signature_mismatch
