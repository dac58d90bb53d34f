@providers @consent
Feature: The authorize step: consent refused, callback not registered, scope not allowed
  Some failures happen before any code exists. A user who clicks "deny" is
  sent back with error=access_denied. A callback the provider does not know
  stops the flow: GitHub either sends the browser to the callback it has on
  file (the documented behaviour) or shows a warning page and goes nowhere
  (what users report). A scope the app may not ask for comes back as
  error=invalid_scope.

  Scenario Outline: Alice clicks "deny" on the <provider> consent screen
    Given the <provider> integration is configured
    And alice signs in to <provider> as "<login>"
    And alice denies consent on <provider>
    When alice connects <provider>
    Then the connection fails with diagnosis access_denied
    And the diagnosis explains the root cause and the fix
    And alice has no <provider> connection

    @github
    Examples: GitHub
      | provider | login       |
      | github   | alice-codes |

    @slack
    Examples: Slack
      | provider | login |
      | slack    | alice |

    @google
    Examples: Google
      | provider | login             |
      | google   | alice@example.com |

    @salesforce
    Examples: Salesforce
      | provider   | login             |
      | salesforce | alice@example.com |

  @github
  Scenario: GitHub sends the browser to the callback it has on file
    Given the github integration is configured
    And alice signs in to github as "alice-codes"
    And github has another callback URL registered for the app
    When alice connects github
    Then the connection fails with diagnosis redirect_uri_mismatch
    And the diagnosis mentions "instead of the WorkOS callback"
    And alice has no github connection

  @github
  Scenario: GitHub shows its warning page and the flow stops there
    Given the github integration is configured
    And alice signs in to github as "alice-codes"
    And github has another callback URL registered for the app
    And github shows an error page for unregistered redirect URIs
    When alice connects github
    Then the connection fails with diagnosis redirect_uri_mismatch
    And the diagnosis mentions "The redirect_uri is not associated with this application."
    And alice has no github connection

  Scenario Outline: <provider> no longer lets the app ask for "<scope>"
    Given the <provider> integration is configured with scopes "<scopes>"
    And alice signs in to <provider> as "<login>"
    And <provider> no longer allows the scope "<scope>"
    When alice connects <provider>
    Then the connection fails with diagnosis invalid_scope
    And alice has no <provider> connection

    @github
    Examples: GitHub
      | provider | login       | scopes           | scope |
      | github   | alice-codes | repo, user:email | repo  |

    @slack
    Examples: Slack
      | provider | login | scopes                   | scope         |
      | slack    | alice | channels:read,chat:write | channels:read |

    @salesforce
    Examples: Salesforce
      | provider   | login             | scopes            | scope |
      | salesforce | alice@example.com | api refresh_token | api   |
