@providers_list
Feature: Listing the providers a user can connect, with each connection's status
  The app's integrations page asks WorkOS for the user's data providers:
  every enabled integration of the environment, each with the user's
  connection if there is one. The real method is listUserDataProviders
  (list_user_data_providers in Python); there is no listProviders.

  Background:
    Given the github integration is configured
    And the slack integration is configured
    And the google integration is configured

  @github @slack @google
  Scenario: Alice sees GitHub connected and the others waiting
    Given alice signs in to github as "alice-codes"
    And alice has connected github
    When the app lists alice's data providers
    Then the providers list shows github as connected
    And the providers list shows slack without a connection
    And the providers list shows google without a connection
    And the providers list does not show salesforce

  @google
  Scenario: A connection Google stopped honouring shows as needing reauthorization
    Given alice signs in to google as "alice@example.com"
    And alice has connected google
    When google revokes alice's token
    And 2 hours pass
    And the app asks WorkOS for alice's google token
    And the app lists alice's data providers
    Then the providers list shows google as needs_reauthorization

  @github @slack
  Scenario: A disabled integration disappears from the list; a deleted connection leaves its provider unconnected
    Given alice signs in to github as "alice-codes"
    And alice has connected github
    And the slack integration is disabled
    When the app deletes alice's github connection
    And the app lists alice's data providers
    Then the providers list shows github without a connection
    And the providers list does not show slack
