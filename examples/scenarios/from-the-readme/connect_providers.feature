@connect
Feature: Connecting each provider
  As a product team we want every supported provider to connect end to end,
  so that a user who clicks "Connect" ends up with a working connection.

  Scenario Outline: A user connects <provider> with WorkOS shared credentials
    Given the <provider> integration is configured
    And alice signs in to <provider> as "<login>"
    When alice connects <provider>
    Then no failure was diagnosed
    And alice's <provider> connection is connected
    And alice approved WorkOS's shared <provider> app
    And WorkOS protected alice's <provider> flow with an unguessable state

    @github
    Examples: GitHub
      | provider | login       |
      | github   | alice-codes |

    @slack @google @salesforce
    Examples: the others
      | provider   | login       |
      | slack      | alice       |
      | google     | alice       |
      | salesforce | alice       |

  @github
  Scenario: A connected GitHub user can be read back through the app
    Given the github integration is configured
    And alice signs in to github as "alice-codes"
    And alice has connected github
    When the app calls GET "/user" on github for alice
    Then the github call succeeds
    And the response field "login" is "alice-codes"

  @slack
  Scenario: A team using its own Slack app sees its own consent screen
    Given the slack integration uses custom credentials
    And bob signs in to slack as "bob"
    When bob connects slack
    Then bob approved the team's own slack app
    And bob's slack connection is connected

  @github
  Scenario: The connection records exactly the scopes the integration asks for
    Given the github integration is configured with scopes "repo, user:email"
    When alice connects github
    Then alice's github connection has scopes "repo, user:email"

  Scenario: A user who never connected has no connection
    Given the google integration is configured
    Then alice has no google connection
