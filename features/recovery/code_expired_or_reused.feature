@code_expired_or_reused
Feature: Authorization code expired or already used
  An authorization code is single use and short lived: ten minutes at
  GitHub, Slack and Google, fifteen at Salesforce. A callback redeemed
  twice (a reload, a retried request) or too late (a slow queue, a browser
  left on the consent screen) is refused, each provider in its own words:
  GitHub bad_verification_code and Slack invalid_code or code_already_used,
  both inside HTTP 200. The code cannot be saved; a new flow can.

  Scenario Outline: The <provider> code was redeemed twice, and a new flow connects
    Given the <provider> integration is configured
    And alice signs in to <provider> as "<login>"
    And <provider>'s next authorization code is already used when WorkOS redeems it
    When alice connects <provider>
    Then the connection fails with diagnosis code_expired_or_reused
    And the diagnosis mentions "<said>"
    And the diagnosis explains the root cause and the fix
    And alice has no <provider> connection
    When alice connects <provider>
    Then alice's <provider> connection is connected

    @github
    Examples: GitHub answers bad_verification_code
      | provider | login       | said                  |
      | github   | alice-codes | bad_verification_code |

    @slack
    Examples: Slack answers code_already_used
      | provider | login | said              |
      | slack    | alice | code_already_used |

  Scenario Outline: The <provider> code is older than <ttl> when WorkOS redeems it
    Given the <provider> integration is configured
    And alice signs in to <provider> as "<login>"
    And alice's browser takes <delay> to come back from <provider>
    When alice connects <provider>
    Then the connection fails with diagnosis code_expired_or_reused
    And the diagnosis mentions "<said>"
    And alice has no <provider> connection

    @github
    Examples: GitHub codes live ten minutes
      | provider | login       | ttl        | delay      | said                  |
      | github   | alice-codes | 10 minutes | 11 minutes | bad_verification_code |

    @slack
    Examples: Slack codes live ten minutes
      | provider | login | ttl        | delay      | said         |
      | slack    | alice | 10 minutes | 11 minutes | invalid_code |

    @salesforce
    Examples: Salesforce codes live fifteen minutes
      | provider   | login             | ttl        | delay      | said                       |
      | salesforce | alice@example.com | 15 minutes | 16 minutes | authorization code expired |

  @github
  Scenario: A GitHub code nine minutes old is still good
    Given the github integration is configured
    And alice signs in to github as "alice-codes"
    And alice's browser takes 9 minutes to come back from github
    When alice connects github
    Then alice's github connection is connected
