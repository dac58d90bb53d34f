@providers @insufficient_scopes
Feature: A token without the scope an endpoint needs
  Each provider says "missing scope" differently: GitHub hides the resource
  behind a 404 and lists the accepted scopes in a header, Slack answers
  missing_scope with what was needed and what the token has, Google answers
  403 ACCESS_TOKEN_SCOPE_INSUFFICIENT, and Salesforce says the session is not
  valid for the REST API. The app gets one diagnosis for all of them, with
  the provider's own words in it.

  Scenario Outline: The <provider> integration never asked for the scope <endpoint> needs
    Given the <provider> integration is configured with scopes "<granted>"
    And alice signs in to <provider> as "<login>"
    When alice connects <provider>
    And the app calls GET "<endpoint>" on <provider> for alice
    Then the call fails with diagnosis insufficient_scopes
    And the diagnosis mentions "<needed>"
    And the app asked WorkOS for a <provider> token once

    @github
    Examples: GitHub
      | provider | login       | granted   | endpoint     | needed               |
      | github   | alice-codes | read:user | /user/emails | [user, user:email]   |

    @slack
    Examples: Slack
      | provider | login | granted    | endpoint                | needed                  |
      | slack    | alice | chat:write | /api/conversations.list | channels:read           |

    @google
    Examples: Google
      | provider | login             | granted      | endpoint                              | needed                                             |
      | google   | alice@example.com | openid email | /calendar/v3/calendars/primary/events | https://www.googleapis.com/auth/calendar.readonly |

    @salesforce
    Examples: Salesforce
      | provider   | login             | granted          | endpoint                      | needed                            |
      | salesforce | alice@example.com | id refresh_token | /services/data/v62.0/sobjects | not valid for use with the REST API |
