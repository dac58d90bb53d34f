@providers @rate_limit
Feature: Rate limits are waited out the way each provider asks
  Providers signal rate limits differently: GitHub with 403 and the epoch
  second its window reopens, Slack and Google with 429 and Retry-After,
  Google's Calendar with a 403 reason and no hint, Salesforce with 403
  REQUEST_LIMIT_EXCEEDED and no hint at all. The app honours a hint when
  there is one and otherwise backs off exponentially with jitter, for a
  bounded number of attempts. The waits happen on the virtual clock: the
  transcript shows each delay and why, and the scenario takes milliseconds.

  Scenario Outline: <provider> asks the app to retry after 2 seconds
    Given the <provider> integration is configured
    And alice signs in to <provider> as "<login>"
    And <provider> rate-limits the next 2 calls with Retry-After 2
    When alice connects <provider>
    And the app calls GET "<path>" on <provider> for alice
    Then the <provider> call succeeds
    And the app waited 2 seconds before each retry
    And the app backed off 2 times
    And the transcript notes "waited 2 s before retrying (honouring Retry-After: 2)"

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

  Scenario Outline: <provider> gives no retry time, so the app backs off with jitter
    Given the <provider> integration is configured
    And alice signs in to <provider> as "<login>"
    And <provider> rate-limits the next 2 calls
    When alice connects <provider>
    And the app calls GET "<path>" on <provider> for alice
    Then the <provider> call succeeds
    And the app backed off exponentially with jitter
    And the transcript notes "no retry hint: exponential backoff with jitter"

    @google
    Examples: Google's userRateLimitExceeded
      | provider | login             | path         |
      | google   | alice@example.com | /v1/userinfo |

    @salesforce
    Examples: Salesforce's REQUEST_LIMIT_EXCEEDED
      | provider   | login             | path                          |
      | salesforce | alice@example.com | /services/data/v62.0/sobjects |

  @github
  Scenario: GitHub's primary limit is waited out until x-ratelimit-reset
    Given the github integration is configured
    And alice signs in to github as "alice-codes"
    And github rate-limits the next 2 calls
    When alice connects github
    And the app calls GET "/user" on github for alice
    Then the github call succeeds
    And the app waited 1 minute before each retry
    And the transcript notes "(honouring x-ratelimit-reset: 1735689660 (60 s from now))"

  @github
  Scenario: GitHub's secondary limit without retry-after means waiting a minute
    Given the github integration is configured
    And alice signs in to github as "alice-codes"
    And github hits its secondary rate limit on the next 2 calls
    When alice connects github
    And the app calls GET "/user" on github for alice
    Then the github call succeeds
    And the app waited 1 minute before each retry
    And the transcript notes "GitHub's advice for a secondary limit without retry-after: wait at least a minute"

  @slack
  Scenario: Slack keeps rate limiting and the app gives up after four attempts
    Given the slack integration is configured
    And alice signs in to slack as "alice"
    And slack rate-limits the next 5 calls
    When alice connects slack
    And the app calls GET "/api/conversations.list" on slack for alice
    Then the call fails with diagnosis rate_limited
    And the diagnosis mentions "Gave up after 4 attempts"
    And the app waited 30 seconds before each retry
    And the app backed off 3 times
