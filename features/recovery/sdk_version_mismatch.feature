@sdk_version_mismatch
Feature: Calling SDK methods and routes that do not exist
  Older guides and generated snippets call things the Pipes API never had:
  workos.pipes.makeRequest, listProviders, connections under /pipes with
  conn_ ids. The SDK has no such method and WorkOS answers such a route with
  404 Not Found. The harness recognises them and says what the installed
  SDK version offers instead, rather than leaving a bare 404.

  Scenario Outline: The app calls workos.pipes.<method>
    When the app calls the SDK method "workos.pipes.<method>"
    Then the diagnosis is sdk_version_mismatch
    And the diagnosis explains the root cause and the fix
    And the diagnosis mentions "<instead>"

    Examples:
      | method                 | instead               |
      | makeRequest            | getAccessToken        |
      | listProviders          | listUserDataProviders |
      | createAuthorizationUrl | authorizeDataIntegration |
      | getConnection          | getUserConnectedAccount |

  Scenario: The methods the SDK really has pass the check
    When the app calls the SDK method "workos.pipes.getAccessToken"
    Then no failure was diagnosed
    When the app calls the SDK method "client.pipes.list_user_data_providers"
    Then no failure was diagnosed

  Scenario Outline: The app sends <method> <path> to WorkOS
    When the app sends <method> "<path>" to WorkOS
    Then WorkOS answers HTTP <status>
    And the diagnosis is sdk_version_mismatch
    And the diagnosis mentions "<instead>"

    Examples:
      | method | path                                     | status | instead                                         |
      | GET    | /pipes/connections                       | 404    | /data-integrations/{slug}/token                 |
      | POST   | /pipes/connections/conn_123/access_token | 404    | open-source emulator                            |
      | GET    | /pipes/providers                         | 404    | /user_management/users/{user_id}/data_providers |
      | GET    | /data-integrations/github/authorize      | 405    | POST /data-integrations/{slug}/authorize        |

  @github
  Scenario: The real route answers
    Given the github integration is configured
    And alice signs in to github as "alice-codes"
    And alice has connected github
    When the app lists alice's data providers
    Then WorkOS answers HTTP 200
    And no failure was diagnosed
