@insufficient_scopes
Feature: The token lacks a scope the endpoint needs
  A provider refuses a call the token was never granted the scope for:
  GitHub hides the resource behind a 404 and names the scopes it accepts,
  Slack answers missing_scope inside HTTP 200, Google answers 403
  ACCESS_TOKEN_SCOPE_INSUFFICIENT. Adding the scope to the integration is
  half the fix: existing connections keep the scopes they were granted
  (the token response lists the rest under missing_scopes) until the user
  reauthorizes. Then the same call works.

  Scenario Outline: Adding the scope on <provider> is not enough until alice reauthorizes
    Given the <provider> integration is configured with scopes "<granted>"
    And alice signs in to <provider> as "<login>"
    And alice has connected <provider>
    When the app calls GET "<endpoint>" on <provider> for alice
    Then the call fails with diagnosis insufficient_scopes
    And the diagnosis mentions "<needed>"
    And the diagnosis explains the root cause and the fix
    When the <provider> integration's scopes are changed to "<wanted>"
    And the app calls GET "<endpoint>" on <provider> for alice
    Then the call fails with diagnosis insufficient_scopes
    And alice's <provider> connection has scopes "<granted>"
    When the app asks WorkOS for alice's <provider> token
    Then the <provider> token is missing the scopes "<missing>"
    When alice reconnects <provider>
    And the app calls GET "<endpoint>" on <provider> for alice
    Then the <provider> call succeeds
    And alice's <provider> connection has scopes "<wanted>"

    @github
    Examples: GitHub
      | provider | login       | granted   | endpoint     | needed             | wanted               | missing    |
      | github   | alice-codes | read:user | /user/emails | [user, user:email] | read:user user:email | user:email |

    @slack
    Examples: Slack
      | provider | login | granted    | endpoint                | needed        | wanted                   | missing       |
      | slack    | alice | chat:write | /api/conversations.list | channels:read | chat:write channels:read | channels:read |

    @google
    Examples: Google
      | provider | login             | granted      | endpoint                              | needed                                            | wanted                                                          | missing                                           |
      | google   | alice@example.com | openid email | /calendar/v3/calendars/primary/events | https://www.googleapis.com/auth/calendar.readonly | openid email https://www.googleapis.com/auth/calendar.readonly | https://www.googleapis.com/auth/calendar.readonly |
