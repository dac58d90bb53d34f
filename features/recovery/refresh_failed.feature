@refresh_failed
Feature: Token expired and the refresh failed
  With expiring tokens (GitHub's "expire user authorization tokens", Slack's
  token rotation) WorkOS refreshes an access token before handing it out.
  When the provider refuses the refresh token, WorkOS cannot keep the
  connection alive: it marks it needs_reauthorization and the token endpoint
  answers active:false. The app sees a connection that needs the user; the
  transcript shows why, in the provider's words.

  Scenario Outline: <provider> refuses WorkOS's refresh after alice's refresh token was revoked
    Given the <provider> integration is configured
    And <provider> issues expiring tokens
    And alice signs in to <provider> as "<login>"
    And alice has connected <provider>
    When <provider> revokes alice's refresh token
    And <lifetime> pass
    And the app calls GET "<path>" on <provider> for alice
    Then the call fails with diagnosis needs_reauthorization
    And alice's <provider> connection is needs_reauthorization
    And WorkOS's refresh of the <provider> token was refused with diagnosis refresh_failed
    And the diagnosis mentions "<said>"
    And the diagnosis explains the root cause and the fix

    @github
    Examples: GitHub answers bad_refresh_token inside HTTP 200
      | provider | login       | lifetime | path           | said              |
      | github   | alice-codes | 9 hours  | /user          | bad_refresh_token |

    @slack
    Examples: Slack answers ok:false, invalid_refresh_token
      | provider | login | lifetime | path           | said                  |
      | slack    | alice | 13 hours | /api/auth.test | invalid_refresh_token |

  @github
  Scenario: After the failed refresh, alice reconnects and the app works again
    Given the github integration is configured
    And github issues expiring tokens
    And alice signs in to github as "alice-codes"
    And alice has connected github
    When github revokes alice's refresh token
    And 9 hours pass
    And the app calls GET "/user" on github for alice
    Then the call fails with diagnosis needs_reauthorization
    When alice reconnects github
    And the app calls GET "/user" on github for alice
    Then the github call succeeds
    And alice's github connection is connected
