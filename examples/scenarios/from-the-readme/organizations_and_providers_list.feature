@organizations
Feature: Organizations and the providers list
  Connections can belong to an organization, and the app shows each user
  which providers they can connect and in what state.

  Background:
    Given the github integration is configured
    And the slack integration is configured

  Scenario: A user connects GitHub for their organization
    When alice connects github for the organization "Acme"
    Then no failure was diagnosed
    When the app asks WorkOS for alice's github token in the organization "Acme"
    Then the app gets a github token

  Scenario: A connection in one organization is not found in another
    Given alice has connected github for the organization "Acme"
    When the app asks WorkOS for alice's github token in the organization "Globex"
    Then the diagnosis is connection_not_found

  Scenario: An organization connection is not a personal one
    Given alice has connected github for the organization "Acme"
    When the app asks WorkOS for alice's github token
    Then the diagnosis is connection_not_found

  @providers_list
  Scenario: The providers list shows what is connected and what is offered
    Given alice has connected github
    When the app lists alice's data providers
    Then the providers list shows github as connected
    And the providers list shows slack without a connection
    And the providers list does not show salesforce

  @providers_list
  Scenario: A revoked connection shows as needing reauthorization
    Given the google integration is configured
    And alice has connected google
    When google revokes alice's token
    And 2 hours pass
    And the app asks WorkOS for alice's google token
    And the app lists alice's data providers
    Then the providers list shows google as needs_reauthorization

  @providers_list
  Scenario: A disabled integration is not offered
    Given the google integration is disabled
    When the app lists alice's data providers
    Then the providers list does not show google

  @csrf_state
  Scenario: A forged callback is refused
    Given alice has connected github
    When an attacker sends alice's browser to the WorkOS github callback with a forged state
    Then the connection fails with diagnosis csrf_state_mismatch

  @csrf_state
  Scenario: A replayed callback is refused
    Given alice has connected slack
    When alice's browser replays the slack callback
    Then the connection fails with diagnosis csrf_state_mismatch
    And alice's slack connection is connected
