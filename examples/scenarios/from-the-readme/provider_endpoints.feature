@providers
Feature: Each provider's API, as the app calls it
  The app reads real endpoints of each provider with a fresh Pipes token.

  Scenario Outline: The app reads <path> on <provider>
    Given the <provider> integration is configured
    And alice signs in to <provider> as "alice"
    And alice has connected <provider>
    When the app calls GET "<path>" on <provider> for alice
    Then the <provider> call succeeds

    Examples: GitHub
      | provider | path          |
      | github   | /user         |
      | github   | /user/repos   |
      | github   | /user/emails  |
      | github   | /rate_limit   |

    Examples: Slack
      | provider | path                    |
      | slack    | /api/auth.test          |
      | slack    | /api/conversations.list |

    Examples: Google
      | provider | path                                    |
      | google   | /v1/userinfo                            |
      | google   | /calendar/v3/calendars/primary/events   |

    Examples: Salesforce
      | provider   | path                                                |
      | salesforce | /services/data/v59.0/sobjects                       |
      | salesforce | /services/data/v59.0/query?q=SELECT+Id+FROM+Account |

  Scenario: GitHub returns the login the user signed in with
    Given the github integration is configured
    And alice signs in to github as "octo-alice"
    And alice has connected github
    When the app calls GET "/user" on github for alice
    Then the response field "login" is "octo-alice"

  Scenario: Slack says ok
    Given the slack integration is configured
    And alice has connected slack
    When the app calls GET "/api/auth.test" on slack for alice
    Then the response field "ok" is "true"
