@connect @pkce
Feature: Finishing a connection with a code challenge
  An app that sends a `code_challenge` with the authorize request gets the
  connection held: WorkOS sends the browser back to `return_to` with a
  `connect_code` and the authorize answer's `state`, and nothing is saved
  until the app finishes the connection with its `code_verifier`. A
  `connect_code` works once, for 90 seconds, and a wrong verifier uses it up.

  Background:
    Given the github integration is configured with scopes "repo, user:email"

  Scenario: The app finishes the connection with its verifier
    When alice connects github with a code challenge
    Then alice's github connection is connected
    When the app calls GET "/user" on github for alice
    Then the github call succeeds

  Scenario: A wrong verifier saves nothing and uses the code up
    When alice connects github with a code challenge, and the app finishes with the wrong verifier
    Then the connection fails with diagnosis code_expired_or_reused
    And alice has no github connection

  Scenario: A connect code finished after 90 seconds is refused
    When alice connects github with a code challenge, and the app finishes after 2 minutes
    Then the connection fails with diagnosis code_expired_or_reused
    And alice has no github connection

  Scenario: A connect code works once
    When alice connects github with a code challenge, and the app finishes twice
    Then the connection fails with diagnosis code_expired_or_reused
    And alice's github connection is connected
