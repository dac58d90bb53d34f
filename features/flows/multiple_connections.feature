@multiple_connections @github
Feature: Several connections of one provider per user
  A user may want two GitHub accounts connected, say a personal and a work
  one. The app adds the second with connection_intent add. WorkOS documents
  this as not yet available, and refuses it with 404
  multiple_connections_unavailable; where it is available, the second
  connection is saved, a token request that says it supports several
  connections but names none gets 409 account_selection_required, and
  naming the connection's connected_account_id picks it.

  Background:
    Given the github integration is configured
    And alice signs in to github as "alice-codes"
    And alice has connected github
    And alice signs in to github as "alice-work"

  @multiple_connections_unavailable
  Scenario: Adding a second connection where only one is available
    When alice adds another github connection
    Then the connection fails with diagnosis multiple_connections_unavailable
    And the diagnosis explains the root cause and the fix
    And the number of alice's github connections is 1

  @account_selection_required
  Scenario: With multiple connections allowed, the app must say which account
    Given WorkOS allows multiple connections per user
    When alice adds another github connection
    Then no failure was diagnosed
    And the number of alice's github connections is 2
    When the app asks WorkOS for alice's github token, supporting multiple connections
    Then the diagnosis is account_selection_required
    And the diagnosis mentions "connected_account_id"
    When the app asks WorkOS for alice's github token of the account "alice-work"
    Then the app gets the github token of the account "alice-work"
    When the app asks WorkOS for alice's github token of the account "alice-codes"
    Then the app gets the github token of the account "alice-codes"

  Scenario: An app that supports one account keeps getting the first connection
    Given WorkOS allows multiple connections per user
    And alice has added another github connection
    When the app asks WorkOS for alice's github token
    Then the app gets the github token of the account "alice-codes"
