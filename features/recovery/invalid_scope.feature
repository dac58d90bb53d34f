@invalid_scope
Feature: Invalid scope
  The scopes on the WorkOS integration and the scopes the provider's OAuth
  app is approved for must agree, spelling and case included. When the
  integration asks for one more, the provider refuses at the authorize step:
  GitHub, Slack and Salesforce send the browser back with
  error=invalid_scope, Google stops on "Error 400: invalid_scope". No code is
  issued and nothing is connected.

  Scenario Outline: The <provider> integration asks for a scope the app is not approved for
    Given the <provider> integration uses custom credentials
    And the <provider> OAuth app allows only the scopes "<approved>"
    And the <provider> integration is configured with scopes "<requested>"
    And alice signs in to <provider> as "<login>"
    When alice connects <provider>
    Then the connection fails with diagnosis invalid_scope
    And the diagnosis explains the root cause and the fix
    And the diagnosis mentions "<said>"
    And alice has no <provider> connection

    @github
    Examples: GitHub
      | provider | login       | approved         | requested                  | said           |
      | github   | alice-codes | repo, user:email | repo, user:email, admin:org | admin:org      |

    @slack
    Examples: Slack
      | provider | login | approved                 | requested                            | said          |
      | slack    | alice | channels:read,chat:write | channels:read,chat:write,users:read  | invalid_scope |

    @google
    Examples: Google scopes are full URLs
      | provider | login             | approved                                                        | requested                                                                | said                                          |
      | google   | alice@example.com | openid email https://www.googleapis.com/auth/calendar.readonly | openid email https://www.googleapis.com/auth/drive.readonly              | https://www.googleapis.com/auth/drive.readonly |

    @salesforce
    Examples: Salesforce
      | provider   | login             | approved          | requested             | said                             |
      | salesforce | alice@example.com | api refresh_token | api refresh_token full | the requested scope is not allowed |

  @google
  Scenario: A Google scope that differs only in case is a different scope
    Given the google integration uses custom credentials
    And the google OAuth app allows only the scopes "openid email https://www.googleapis.com/auth/calendar.readonly"
    And the google integration is configured with scopes "openid email https://www.googleapis.com/auth/Calendar.readonly"
    And alice signs in to google as "alice@example.com"
    When alice connects google
    Then the connection fails with diagnosis invalid_scope
    And the diagnosis mentions "https://www.googleapis.com/auth/Calendar.readonly"

  @github
  Scenario: Once both sides list the same scopes, alice connects
    Given the github integration uses custom credentials
    And the github OAuth app allows only the scopes "repo, user:email"
    And the github integration is configured with scopes "repo, user:email, admin:org"
    And alice signs in to github as "alice-codes"
    When alice connects github
    Then the connection fails with diagnosis invalid_scope
    When the github integration's scopes are changed to "repo, user:email"
    And alice connects github
    Then alice's github connection is connected
    And alice's github connection has scopes "repo, user:email"
