@app @needs_reauthorization @github
Feature: Your app asks the user to reconnect after the provider revokes access
  When a user removes the app in their GitHub settings, every token of the
  grant dies and WorkOS answers the token request with needs_reauthorization.
  Retrying cannot bring the grant back: the app has to stop and send the user
  through the connect flow again.

  Background:
    Given the app under test

  Scenario: Alice revokes the app on GitHub and the app asks her to reconnect
    Given alice has connected github through the app as "alice-codes"
    When alice revokes the app's access on github
    And the app calls github for alice
    Then WorkOS tells the app that alice's github connection needs reauthorization
    And the app asks alice to reconnect github

  Scenario: Alice reconnects from the app's prompt and the app repairs that connection
    Given alice has connected github through the app as "alice-codes"
    When alice revokes the app's access on github
    And the app calls github for alice
    Then the app asks alice to reconnect github
    When alice follows the app's link to reconnect github
    Then the app asked WorkOS to reauthorize alice's github connection
    And WorkOS holds a connected github account for alice

  Scenario: Bob never connected GitHub and the app asks him to connect
    When the app calls github for bob, who never connected it
    Then the app asks bob to connect github
