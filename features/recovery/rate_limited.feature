@rate_limited
Feature: Provider rate limits
  Pipes hands out tokens; it does not pool or lift provider rate limits, so
  the app meets each provider's limit in that provider's format: GitHub 403
  with x-ratelimit-remaining 0, Slack 429 with Retry-After, Google 403
  rateLimitExceeded or 429, Salesforce 403 REQUEST_LIMIT_EXCEEDED. The app
  waits as told, or backs off exponentially with jitter when not told, for
  at most four attempts; then it stops and reports the limit instead of
  hammering the provider.

  Scenario Outline: <provider> keeps rate limiting and the app gives up after four attempts
    Given the <provider> integration is configured
    And alice signs in to <provider> as "<login>"
    And alice has connected <provider>
    And <provider> rate-limits the next 4 calls
    When the app calls GET "<path>" on <provider> for alice
    Then the call fails with diagnosis rate_limited
    And the diagnosis mentions "<said>"
    And the diagnosis mentions "Gave up after 4 attempts"
    And the diagnosis explains the root cause and the fix
    And the app backed off 3 times

    @github
    Examples: GitHub's primary limit: 403 and x-ratelimit-remaining 0
      | provider | login       | path  | said                     |
      | github   | alice-codes | /user | x-ratelimit-remaining: 0 |

    @slack
    Examples: Slack: HTTP 429 and Retry-After
      | provider | login | path           | said     |
      | slack    | alice | /api/auth.test | HTTP 429 |

    @google
    Examples: Google: 403 userRateLimitExceeded
      | provider | login             | path         | said                  |
      | google   | alice@example.com | /v1/userinfo | userRateLimitExceeded |

    @salesforce
    Examples: Salesforce: 403 REQUEST_LIMIT_EXCEEDED, no retry hint
      | provider   | login             | path                          | said                   |
      | salesforce | alice@example.com | /services/data/v62.0/sobjects | REQUEST_LIMIT_EXCEEDED |

  Scenario Outline: <provider> lifts the limit after two calls and the app recovers
    Given the <provider> integration is configured
    And alice signs in to <provider> as "<login>"
    And alice has connected <provider>
    And <provider> rate-limits the next 2 calls with Retry-After 5
    When the app calls GET "<path>" on <provider> for alice
    Then the <provider> call succeeds
    And the app waited 5 seconds before each retry
    And the app asked WorkOS for a <provider> token 3 times

    @slack
    Examples: Slack
      | provider | login | path           |
      | slack    | alice | /api/auth.test |

    @google
    Examples: Google
      | provider | login             | path         |
      | google   | alice@example.com | /v1/userinfo |
