@providers @refresh
Feature: Expiring tokens are refreshed by WorkOS, each provider its own way
  An app never refreshes a provider token itself: it asks WorkOS for a token
  before every call and WorkOS refreshes one that is about to expire. What
  happens to the refresh token differs: GitHub and Slack hand out a new one
  and retire the old, Google keeps the same one for good.

  Scenario Outline: After <lifetime> the app still gets a working <provider> token
    Given the <provider> integration is configured
    And <provider> issues expiring tokens
    And alice signs in to <provider> as "<login>"
    When alice connects <provider>
    And <lifetime> pass
    And the app calls GET "<path>" on <provider> for alice
    Then the <provider> call succeeds
    And WorkOS refreshed the <provider> token once
    And <provider> <verdict> alice's refresh token

    @github
    Examples: GitHub user tokens last 8 hours
      | provider | login       | lifetime | path           | verdict |
      | github   | alice-codes | 9 hours  | /user          | rotated |

    @slack
    Examples: Slack rotating tokens last 12 hours
      | provider | login | lifetime | path           | verdict |
      | slack    | alice | 13 hours | /api/auth.test | rotated |

    @google
    Examples: Google access tokens last an hour
      | provider | login             | lifetime | path         | verdict |
      | google   | alice@example.com | 2 hours  | /v1/userinfo | kept    |

  Scenario Outline: <provider> revoked the refresh token, so the connection needs reauthorization
    Given the <provider> integration is configured
    And <provider> issues expiring tokens
    And alice signs in to <provider> as "<login>"
    When alice connects <provider>
    And <provider> revokes alice's refresh token
    And <lifetime> pass
    And the app calls GET "<path>" on <provider> for alice
    Then the call fails with diagnosis needs_reauthorization
    And WorkOS refreshed the <provider> token once

    @github
    Examples: GitHub
      | provider | login       | lifetime | path           |
      | github   | alice-codes | 9 hours  | /user          |

    @slack
    Examples: Slack
      | provider | login | lifetime | path           |
      | slack    | alice | 13 hours | /api/auth.test |

    @google
    Examples: Google
      | provider | login             | lifetime | path         |
      | google   | alice@example.com | 2 hours  | /v1/userinfo |

  @salesforce
  Scenario: A Salesforce session times out without WorkOS knowing when
    Salesforce grants carry no expires_in: a session ends after two idle
    hours. WorkOS cannot tell the session is over, so the app's one fresh
    token fetch hands back the same dead token.
    Given the salesforce integration is configured
    And alice signs in to salesforce as "alice@example.com"
    When alice connects salesforce
    And 3 hours pass
    And the app calls GET "/services/data/v62.0/sobjects" on salesforce for alice
    Then the call fails with diagnosis token_expired
    And the app asked WorkOS for a salesforce token 2 times
    And WorkOS never refreshed the salesforce token
    And the transcript notes "WorkOS handed out the same Salesforce token that was just refused"

  @salesforce
  Scenario: WorkOS refreshes a Salesforce session once its recorded timeout has passed
    Salesforce grants carry no expiry, so the app records the session
    timeout it knows (two hours) on the connection; past it, WorkOS uses
    the refresh token before handing a token out, and the call works.
    Given the salesforce integration is configured
    And alice signs in to salesforce as "alice@example.com"
    And alice has connected salesforce
    When the app records that alice's salesforce token expires in 2 hours
    And 3 hours pass
    And the app calls GET "/services/data/v62.0/sobjects" on salesforce for alice
    Then the salesforce call succeeds
    And WorkOS refreshed the salesforce token once
