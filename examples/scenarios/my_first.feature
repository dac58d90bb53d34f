@slack
Feature: Our Slack integration survives a revoked token
  Our app posts to Slack for each user. We want to know what happens when a
  user removes our app from their Slack workspace: the app should notice,
  WorkOS should tell us through a webhook when the connection cannot be
  kept, and reconnecting should bring everything back.

  Background:
    Given the slack integration is configured with scopes "channels:read, chat:write"
    And the app's webhook endpoint receives Pipes events
    And bob signs in to slack as "bob"

  Scenario: Bob connects Slack and the app lists his channels
    When bob connects slack
    Then bob's slack connection is connected
    And the app received a "pipes.connected_account.connected" event for bob
    When the app calls GET "/api/conversations.list" on slack for bob
    Then the slack call succeeds
    And the app asked WorkOS for a slack token once

  Scenario: Bob removes the app in Slack, then reconnects
    Given bob has connected slack
    When slack revokes bob's token
    And the app calls GET "/api/conversations.list" on slack for bob
    Then the call fails with diagnosis token_revoked
    And the diagnosis explains the root cause and the fix
    When bob reconnects slack
    And the app calls GET "/api/conversations.list" on slack for bob
    Then the slack call succeeds

  Scenario: The app lists Bob's providers after he connected
    Given bob has connected slack
    When the app lists bob's data providers
    Then the providers list shows slack as connected
