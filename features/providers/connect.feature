@providers @connect
Feature: Connect each provider and read from its API
  WorkOS runs each provider's OAuth flow in that provider's dialect: scopes
  joined with spaces (commas for Slack), the state echoed back, PKCE where
  the provider takes it. The app then asks WorkOS for a fresh token before
  every call and reads the provider's own API with it.

  Scenario Outline: Alice connects <provider> and the app reads her data
    Given the <provider> integration is configured
    And alice signs in to <provider> as "<login>"
    When alice connects <provider>
    Then alice's <provider> connection is connected
    When the app calls GET "<profile>" on <provider> for alice
    Then the <provider> call succeeds
    And the response field "<field>" is "<value>"
    When the app calls GET "<list>" on <provider> for alice
    Then the <provider> call succeeds
    And the response field "<item>" is "<first>"

    @github
    Examples: GitHub
      | provider | login       | profile | field | value       | list        | item         | first    |
      | github   | alice-codes | /user   | login | alice-codes | /user/repos | 0.name       | dotfiles |

    @slack
    Examples: Slack
      | provider | login | profile        | field | value | list                    | item            | first   |
      | slack    | alice | /api/auth.test | ok    | true  | /api/conversations.list | channels.0.name | general |

    @google
    Examples: Google
      | provider | login             | profile      | field | value             | list                                   | item | first          |
      | google   | alice@example.com | /v1/userinfo | email | alice@example.com | /calendar/v3/calendars/primary/events  | kind | calendar#events |

    @salesforce
    Examples: Salesforce
      | provider   | login             | profile                                                     | field | value | list                          | item              | first   |
      | salesforce | alice@example.com | /services/data/v62.0/query?q=SELECT+Id,Name+FROM+Account | done  | true  | /services/data/v62.0/sobjects | sobjects.0.name   | Account |
