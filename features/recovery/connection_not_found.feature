@connection_not_found @github
Feature: Connection not found
  The app asks WorkOS for a token and WorkOS has no connection to take it
  from: the user never finished connecting or disconnected, the app sent the
  wrong user or organization id, or its API key belongs to another
  environment than the one the user connected in. WorkOS answers HTTP 200
  with active:false and error:not_installed, or 404 for an id it does not
  know. Either way there is nothing to retry: the fix is in what the app
  sends or in getting the user connected.

  Background:
    Given the github integration is configured
    And alice signs in to github as "alice-codes"

  Scenario: Alice never connected GitHub
    When the app asks WorkOS for alice's github token
    Then the diagnosis is connection_not_found
    And the diagnosis mentions "error:not_installed"
    And the diagnosis explains the root cause and the fix

  Scenario: Alice's connection was deleted
    Given alice has connected github
    When the app deletes alice's github connection
    And the app asks WorkOS for alice's github token
    Then the diagnosis is connection_not_found
    And alice has no github connection

  Scenario: The app sends a user id WorkOS does not know
    Given alice has connected github
    When the app asks WorkOS for a github token for the user id "user_01HZZZZZZZZZZZZZZZZZZZZZZZ"
    Then the diagnosis is connection_not_found
    And the diagnosis mentions "User not found"

  Scenario: The app sends bob's id instead of alice's
    Given alice has connected github
    When the app asks WorkOS for bob's github token
    Then the diagnosis is connection_not_found
    When the app asks WorkOS for alice's github token
    Then the app gets a github token

  Scenario: Alice connected for one organization, the app asks for another
    Given alice has connected github for the organization "Acme"
    When the app asks WorkOS for alice's github token in the organization "Globex"
    Then the diagnosis is connection_not_found
    When the app asks WorkOS for alice's github token
    Then the diagnosis is connection_not_found
    When the app asks WorkOS for alice's github token in the organization "Acme"
    Then the app gets a github token

  Scenario: The app uses the production key for a connection made in the sandbox
    Given the github integration uses custom credentials in production
    And alice has connected github
    When the app switches to the production API key
    And the app asks WorkOS for alice's github token
    Then the diagnosis is connection_not_found
    And the diagnosis mentions "User not found"
    When the app switches to the sandbox API key
    And the app asks WorkOS for alice's github token
    Then the app gets a github token
