@providers @outages
Feature: Provider outages, slow answers and garbage
  A 5xx is worth retrying: the app backs off exponentially with jitter and
  recovers when the provider does. An answer slower than the app's timeout
  counts as a failure and is retried too. A 200 whose body is not the
  provider's format is not retried: it is reported, because whoever answered
  was probably not the provider.

  Scenario Outline: <provider> answers HTTP 503 twice, then recovers
    Given the <provider> integration is configured
    And alice signs in to <provider> as "<login>"
    And <provider> fails the next 2 calls with HTTP 503
    When alice connects <provider>
    And the app calls GET "<path>" on <provider> for alice
    Then the <provider> call succeeds
    And the app backed off exponentially with jitter
    And the transcript notes "answered HTTP 503: waited"

    @github
    Examples: GitHub
      | provider | login       | path           |
      | github   | alice-codes | /user          |

    @slack
    Examples: Slack
      | provider | login | path           |
      | slack    | alice | /api/auth.test |

    @google
    Examples: Google
      | provider | login             | path         |
      | google   | alice@example.com | /v1/userinfo |

    @salesforce
    Examples: Salesforce
      | provider   | login             | path                          |
      | salesforce | alice@example.com | /services/data/v62.0/sobjects |

  Scenario Outline: <provider> answers HTTP 200 with a truncated body
    Given the <provider> integration is configured
    And alice signs in to <provider> as "<login>"
    And <provider> answers the next call with a malformed body
    When alice connects <provider>
    And the app calls GET "<path>" on <provider> for alice
    Then the call fails with diagnosis malformed_response
    And the app backed off 0 times

    @github
    Examples: GitHub
      | provider | login       | path           |
      | github   | alice-codes | /user          |

    @slack
    Examples: Slack
      | provider | login | path           |
      | slack    | alice | /api/auth.test |

    @google
    Examples: Google
      | provider | login             | path         |
      | google   | alice@example.com | /v1/userinfo |

    @salesforce
    Examples: Salesforce
      | provider   | login             | path                          |
      | salesforce | alice@example.com | /services/data/v62.0/sobjects |

  @github
  Scenario: GitHub takes 30 seconds to answer, longer than the app waits
    Given the github integration is configured
    And alice signs in to github as "alice-codes"
    And github takes 30 seconds to answer the next call
    When alice connects github
    And the app calls GET "/user" on github for alice
    Then the github call succeeds
    And the transcript notes "GitHub took 30 s to answer, longer than the 10 s timeout"
    And the app backed off 1 times

  @google
  Scenario: Google stays down and the app gives up after four attempts
    Given the google integration is configured
    And alice signs in to google as "alice@example.com"
    And google fails the next 5 calls with HTTP 500
    When alice connects google
    And the app calls GET "/v1/userinfo" on google for alice
    Then the call fails with diagnosis provider_unavailable
    And the diagnosis mentions "Gave up after 4 attempts"
