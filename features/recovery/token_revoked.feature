@token_revoked
Feature: Access token revoked
  A user who removes the app in the provider's settings kills every token of
  the grant. The app cannot tell a revoked token from a stale one at first,
  so it asks WorkOS for a fresh token once; when that one is refused too, it
  stops and asks the user to reconnect. Retrying longer never helps.

  Scenario Outline: <provider> refuses the token after alice removed the app, and reconnecting repairs it
    Given the <provider> integration is configured
    And alice signs in to <provider> as "<login>"
    And alice has connected <provider>
    When <provider> revokes alice's token
    And the app calls GET "<path>" on <provider> for alice
    Then the call fails with diagnosis token_revoked
    And the diagnosis mentions "<said>"
    And the diagnosis explains the root cause and the fix
    And the app asked WorkOS for a <provider> token 2 times
    When alice reconnects <provider>
    And the app calls GET "<path>" on <provider> for alice
    Then the <provider> call succeeds

    @github
    Examples: GitHub answers 401 Bad credentials
      | provider | login       | path           | said            |
      | github   | alice-codes | /user          | Bad credentials |

    @slack
    Examples: Slack answers HTTP 200 with ok:false
      | provider | login | path           | said                |
      | slack    | alice | /api/auth.test | error=token_revoked |

    @google
    Examples: Google answers 401 UNAUTHENTICATED
      | provider | login             | path         | said                   |
      | google   | alice@example.com | /v1/userinfo | status=UNAUTHENTICATED |
