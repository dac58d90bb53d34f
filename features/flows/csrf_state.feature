@csrf_state
Feature: The state parameter protects the connect flow
  WorkOS starts every connect flow with an unguessable state, sends it to
  the provider with the authorize redirect and accepts the callback only
  with that state, once. A callback someone else crafted (login CSRF: the
  attacker's code in the victim's browser) or one replayed from history is
  refused before any code is exchanged.

  Background:
    Given the github integration is configured
    And alice signs in to github as "alice-codes"

  @github
  Scenario: The state WorkOS sends to GitHub comes back unchanged
    When alice connects github
    Then alice's github connection is connected
    And WorkOS protected alice's github flow with an unguessable state

  @github
  Scenario: A callback with a forged state is refused
    When an attacker sends alice's browser to the WorkOS github callback with a forged state
    Then the connection fails with diagnosis csrf_state_mismatch
    And the diagnosis explains the root cause and the fix
    And alice has no github connection

  @github
  Scenario: Replaying a callback that already connected changes nothing
    Given alice has connected github
    When alice's browser replays the github callback
    Then the connection fails with diagnosis csrf_state_mismatch
    And the diagnosis mentions "matches no authorization in progress"
    And alice's github connection is connected
