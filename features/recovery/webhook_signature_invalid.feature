@webhook_signature_invalid @webhooks @github
Feature: Webhook signature verification
  WorkOS signs every delivery with the endpoint's own secret:
  WorkOS-Signature: t=<milliseconds>, v1=<HMAC-SHA256 of "<t>.<raw body>">.
  A receiver that verifies anything but those exact bytes, with anything
  but that secret, within three minutes of t, rejects genuine events or,
  worse, learns to skip the check. Here WorkOS really delivers the event to
  the app's receiver; the app then verifies what arrived, once the right
  way and once for each way receivers get it wrong.

  Background:
    Given the github integration is configured
    And the app's webhook endpoint receives Pipes events
    And alice signs in to github as "alice-codes"
    And alice has connected github

  Scenario: The raw body verifies with the endpoint's secret
    When the app verifies the "pipes.connected_account.connected" event as delivered
    Then the webhook verifies

  Scenario Outline: Verifying <how> fails
    When the app verifies the "pipes.connected_account.connected" event <how>
    Then the webhook is rejected as <reason>
    And the diagnosis is webhook_signature_invalid
    And the diagnosis explains the root cause and the fix
    And the diagnosis mentions "<said>"

    Examples:
      | how                             | reason             | said                                |
      | with the wrong secret           | signature_mismatch | a secret that is not this endpoint's |
      | after re-serializing its JSON   | signature_mismatch | parsed and encoded again            |
      | after someone changed its body  | signature_mismatch | changed after WorkOS signed it      |
      | without its signature header    | missing_header     | WorkOS-Signature header is missing  |
      | with a mangled signature header | malformed_header   | 64 hex characters                   |

  Scenario: A signature taken from another event does not cover this one
    When the app deletes alice's github connection
    And the app verifies the "pipes.connected_account.connected" event with the signature of another event
    Then the webhook is rejected as signature_mismatch

  Scenario: An event verified five minutes after it was sent is a replay
    When 5 minutes pass
    And the app verifies the "pipes.connected_account.connected" event as delivered
    Then the webhook is rejected as timestamp_too_old
    And the diagnosis mentions "replayed or delayed delivery"

  Scenario: Two minutes late is still inside the three-minute tolerance
    When 2 minutes pass
    And the app verifies the "pipes.connected_account.connected" event as delivered
    Then the webhook verifies

  Scenario: A receiver whose clock lags WorkOS's sees the event from the future
    When the app verifies the "pipes.connected_account.connected" event with its clock 5 minutes behind
    Then the webhook is rejected as timestamp_in_future
    And the diagnosis mentions "in the future"
