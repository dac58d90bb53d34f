@app
Feature: Our app's Pipes integration, checked from the outside
  These steps drive an app the way a user's browser, WorkOS and the provider would.
  With no app configured they run against the built-in reference app.

  Background:
    Given the app under test

  Scenario: A user connects GitHub through the app step by step
    When alice opens the app's github connect page
    Then the app sends alice to WorkOS to authorize github
    When alice approves github as "alice-codes"
    Then alice lands on the app's return page from github
    And WorkOS holds a connected github account for alice

  Scenario: The app reads the profile with the token WorkOS holds now
    Given alice has connected github through the app as "alice-codes"
    When the app calls github for alice
    Then the app answers with alice's github profile
    And github saw the token WorkOS holds for alice

  Scenario: After a reconnect the app uses the new token
    Given alice has connected github through the app as "alice-codes"
    When alice connects github through the app again
    And the app calls github for alice
    Then github saw the token WorkOS holds for alice

  Scenario: A revoked connection makes the app ask for a reconnect
    Given alice has connected github through the app as "alice-codes"
    When alice revokes the app's access on github
    Then WorkOS tells the app that alice's github connection needs reauthorization
    When the app calls github for alice
    Then the app asks alice to reconnect github

  Scenario: A 401 from GitHub while WorkOS says active leads to a reconnect
    Given alice has connected github through the app as "alice-codes"
    When github stops accepting alice's token
    And the app calls github for alice
    Then the app asks alice to reconnect github

  Scenario: A user who never connected is asked to connect
    When the app calls github for bob, who never connected it
    Then the app asks bob to connect github

  Scenario: GitHub is down and the app does not loop
    Given alice has connected github through the app as "alice-codes"
    When github answers every call with 503
    And the app calls github for alice
    Then the app gives up on github without a retry loop

  Scenario: The app honours GitHub's Retry-After
    Given alice has connected github through the app as "alice-codes"
    When github rate-limits the next call for 60 seconds
    And the app calls github for alice
    Then the app waits the Retry-After before calling github again

  Scenario: The app backs off when WorkOS rate-limits it
    Given alice has connected github through the app as "alice-codes"
    When WorkOS rate-limits the app's next token request
    And the app calls github for alice
    Then the app backs off from WorkOS

  Scenario Outline: The app's webhook endpoint accepts <delivery>
    When the app receives <delivery>
    Then the app accepts it

    Examples:
      | delivery                                      |
      | a correctly signed event                      |
      | a correctly signed event with pretty-printed JSON |

  Scenario Outline: The app's webhook endpoint rejects <delivery>
    When the app receives <delivery>
    Then the app rejects it

    Examples:
      | delivery                                      |
      | an event signed with the wrong secret         |
      | an event whose body was changed after signing |
      | a replayed event with a stale timestamp       |
      | an event timestamped in the future            |
      | an event without a signature header           |
      | an event with a malformed signature header    |
      | an event carrying the signature of another event |

  Scenario: One event delivered twice is handled once
    When the app receives the same correctly signed event twice
    Then the app handles it only once
