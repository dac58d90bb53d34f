@providers @revoked_token
Feature: A token the provider revoked is noticed, retried once, then reported
  When a user removes the app at the provider, the token WorkOS holds stops
  working. The app asks WorkOS for a fresh token once (never reusing a cached
  one); when that one is refused too, it stops and says why.

  Scenario Outline: <provider> revokes alice's token and the app reports it
    Given the <provider> integration is configured
    And alice signs in to <provider> as "<login>"
    When alice connects <provider>
    And <provider> revokes alice's token
    And the app calls GET "<path>" on <provider> for alice
    Then the call fails with diagnosis <diagnosis>
    And the app asked WorkOS for a <provider> token 2 times
    And the diagnosis mentions "<said>"
    And the diagnosis explains the root cause and the fix

    @github
    Examples: GitHub answers 401 Bad credentials
      | provider | login       | path           | diagnosis     | said            |
      | github   | alice-codes | /user          | token_revoked | Bad credentials |

    @slack
    Examples: Slack answers HTTP 200 with ok:false
      | provider | login | path           | diagnosis     | said                |
      | slack    | alice | /api/auth.test | token_revoked | error=token_revoked |

    @google
    Examples: Google answers 401 UNAUTHENTICATED
      | provider | login             | path         | diagnosis     | said                   |
      | google   | alice@example.com | /v1/userinfo | token_revoked | status=UNAUTHENTICATED |

    @salesforce
    Examples: Salesforce cannot tell a revoked session from an expired one
      | provider   | login             | path                          | diagnosis     | said               |
      | salesforce | alice@example.com | /services/data/v62.0/sobjects | token_expired | INVALID_SESSION_ID |
