Feature: A team's own steps beside the library's
  The team's crate adds a step that counts the provider calls its app made,
  and uses it with the library's steps.

  Scenario: Alice's two profile reads are counted by the team's own step
    Given the github integration is configured
    And alice signs in to github as "alice-codes"
    And alice has connected github
    When the app calls GET "/user" on github for alice
    And the team counts that call
    And the app calls GET "/user" on github for alice
    And the team counts that call
    Then the team counted 2 calls
