@reference-app
Feature: The built-in reference app is a correct integration on every provider
  The reference app is what the app features run against when no app of
  yours is named. It must be right on all four providers: it sends the user
  to WorkOS with its own return page, asks WorkOS for a token right before
  each provider call, refetches once on a 401 and then asks the user to
  reconnect, and asks to reconnect when WorkOS says the grant is gone.

  Background:
    Given the built-in reference app

  Scenario Outline: Alice connects <provider> from the reference app, which calls it with the token WorkOS holds now
    When alice opens the app's <provider> connect page
    Then the app sends alice to WorkOS to authorize <provider>
    When alice approves <provider> as "<login>"
    Then alice lands on the app's return page from <provider>
    And WorkOS holds a connected <provider> account for alice
    When the app calls <provider> for alice
    Then the app answers with alice's <provider> profile
    And <provider> saw the token WorkOS holds for alice

    Examples:
      | provider   | login             |
      | github     | alice-codes       |
      | slack      | alice             |
      | google     | alice@example.com |
      | salesforce | alice@example.com |

  Scenario Outline: Alice revokes the reference app on <provider> and it asks her to reconnect
    Given alice has connected <provider> through the app as "<login>"
    When alice revokes the app's access on <provider>
    And the app calls <provider> for alice
    Then WorkOS tells the app that alice's <provider> connection needs reauthorization
    And the app asks alice to reconnect <provider>

    Examples:
      | provider   | login             |
      | github     | alice-codes       |
      | slack      | alice             |
      | google     | alice@example.com |
      | salesforce | alice@example.com |

  Scenario Outline: <provider> rejects the token while WorkOS still says connected, and the reference app asks to reconnect
    Given alice has connected <provider> through the app as "<login>"
    When <provider> stops accepting alice's token
    And the app calls <provider> for alice
    Then the app asks alice to reconnect <provider>

    Examples:
      | provider   | login             |
      | github     | alice-codes       |
      | slack      | alice             |
      | google     | alice@example.com |
      | salesforce | alice@example.com |
