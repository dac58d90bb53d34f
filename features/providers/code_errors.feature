@providers @code_errors
Feature: Authorization codes that cannot be redeemed, and a secret that no longer works
  A code is single use and short lived: ten minutes at GitHub, Slack and
  Google, fifteen at Salesforce. Each provider refuses a spent or late code
  in its own words (GitHub and Slack inside HTTP 200), and WorkOS relays the
  refusal to the app's return page. The app turns all of them into one
  diagnosis.

  Scenario Outline: The <provider> code was already redeemed when WorkOS exchanged it
    Given the <provider> integration is configured
    And alice signs in to <provider> as "<login>"
    And <provider>'s next authorization code is already used when WorkOS redeems it
    When alice connects <provider>
    Then the connection fails with diagnosis code_expired_or_reused
    And the diagnosis mentions "<said>"
    And alice has no <provider> connection

    @github
    Examples: GitHub answers HTTP 200 bad_verification_code
      | provider | login       | said                  |
      | github   | alice-codes | bad_verification_code |

    @slack
    Examples: Slack answers HTTP 200 ok:false
      | provider | login | said              |
      | slack    | alice | code_already_used |

    @google
    Examples: Google answers 400 invalid_grant
      | provider | login             | said          |
      | google   | alice@example.com | invalid_grant |

    @salesforce
    Examples: Salesforce answers 400 invalid_grant
      | provider   | login             | said                       |
      | salesforce | alice@example.com | invalid authorization code |

  Scenario Outline: Alice's browser takes <delay> to bring the <provider> code back
    Given the <provider> integration is configured
    And alice signs in to <provider> as "<login>"
    And alice's browser takes <delay> to come back from <provider>
    When alice connects <provider>
    Then the connection fails with diagnosis code_expired_or_reused
    And the diagnosis mentions "<said>"

    @github
    Examples: GitHub
      | provider | login       | delay      | said                                     |
      | github   | alice-codes | 11 minutes | The code passed is incorrect or expired. |

    @slack
    Examples: Slack
      | provider | login | delay      | said         |
      | slack    | alice | 11 minutes | invalid_code |

    @google
    Examples: Google
      | provider | login             | delay      | said        |
      | google   | alice@example.com | 11 minutes | Bad Request |

    @salesforce
    Examples: Salesforce codes live fifteen minutes
      | provider   | login             | delay      | said                       |
      | salesforce | alice@example.com | 16 minutes | authorization code expired |

  @salesforce
  Scenario: A Salesforce code fourteen minutes old still works
    Given the salesforce integration is configured
    And alice signs in to salesforce as "alice@example.com"
    And alice's browser takes 14 minutes to come back from salesforce
    When alice connects salesforce
    Then alice's salesforce connection is connected

  Scenario Outline: The <provider> app's client secret was regenerated at the provider
    Given the <provider> integration is configured
    And alice signs in to <provider> as "<login>"
    And <provider> regenerates the app's client secret
    When alice connects <provider>
    Then the connection fails with diagnosis invalid_client
    And the diagnosis mentions "<said>"

    @github
    Examples: GitHub
      | provider | login       | said                         |
      | github   | alice-codes | incorrect_client_credentials |

    @slack
    Examples: Slack
      | provider | login | said              |
      | slack    | alice | bad_client_secret |

    @google
    Examples: Google
      | provider | login             | said           |
      | google   | alice@example.com | invalid_client |

    @salesforce
    Examples: Salesforce
      | provider   | login             | said                       |
      | salesforce | alice@example.com | invalid client credentials |
