@app @connect @github
Feature: Your app connects GitHub through Pipes
  The app's connect endpoint sends the user to WorkOS; WorkOS runs the OAuth
  flow with GitHub and brings the user back to the app's return page. The app
  then calls GitHub with a token it asks WorkOS for right before the call,
  never one it kept.

  Background:
    Given the app under test

  Scenario: Alice connects GitHub from the app and the app reads her profile
    When alice opens the app's github connect page
    Then the app sends alice to WorkOS to authorize github
    When alice approves github as "alice-codes"
    Then alice lands on the app's return page from github
    And WorkOS holds a connected github account for alice
    When the app calls github for alice
    Then the app answers with alice's github profile
    And github saw the token WorkOS holds for alice
