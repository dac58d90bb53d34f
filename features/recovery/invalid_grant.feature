@invalid_grant
Feature: Refresh token revoked or expired (invalid_grant)
  Google and Salesforce answer a refresh token they no longer honour with
  HTTP 400 and error=invalid_grant: the user revoked the app or changed
  their password, the token sat unused too long, a per-user token limit
  evicted it, or (Google) the OAuth app is still in Testing and its grants
  expire after seven days. It is permanent: WorkOS marks the connection
  needs_reauthorization and only the user reconnecting brings it back.

  @google
  Scenario: Alice revoked the app's access in her Google account
    Given the google integration is configured
    And alice signs in to google as "alice@example.com"
    And alice has connected google
    When google revokes alice's refresh token
    And 2 hours pass
    And the app calls GET "/v1/userinfo" on google for alice
    Then the call fails with diagnosis needs_reauthorization
    And WorkOS's refresh of the google token was refused with diagnosis invalid_grant
    And the diagnosis mentions "Token has been expired or revoked."
    And the diagnosis explains the root cause and the fix

  @google
  Scenario: A Google app in Testing status loses its grants after seven days
    Given the google integration is configured
    And alice signs in to google as "alice@example.com"
    And alice has connected google
    And google refuses the next 1 token refreshes
    When 8 days pass
    And the app asks WorkOS for alice's google token
    Then the diagnosis is needs_reauthorization
    And WorkOS's refresh of the google token was refused with diagnosis invalid_grant
    And the diagnosis mentions "publish the OAuth app"
    When alice reconnects google
    And the app asks WorkOS for alice's google token
    Then the app gets a google token

  @salesforce
  Scenario: Salesforce refuses a refresh token its admin revoked
    Salesforce grants carry no expiry, so the app records the session
    timeout it knows (two hours) on the connection; WorkOS then refreshes
    once that time has passed.
    Given the salesforce integration is configured
    And alice signs in to salesforce as "alice@example.com"
    And alice has connected salesforce
    When the app records that alice's salesforce token expires in 2 hours
    And salesforce revokes alice's refresh token
    And 3 hours pass
    And the app calls GET "/services/data/v62.0/sobjects" on salesforce for alice
    Then the call fails with diagnosis needs_reauthorization
    And WorkOS's refresh of the salesforce token was refused with diagnosis invalid_grant
    And the diagnosis mentions "expired access/refresh token"

  @salesforce
  Scenario: A Salesforce refresh token that expired under the connected app's policy
    Given the salesforce integration is configured
    And alice signs in to salesforce as "alice@example.com"
    And alice has connected salesforce
    And salesforce refuses the next 1 token refreshes
    When the app records that alice's salesforce token expires in 2 hours
    And 3 hours pass
    And the app asks WorkOS for alice's salesforce token
    Then the diagnosis is needs_reauthorization
    And alice's salesforce connection is needs_reauthorization
    And WorkOS's refresh of the salesforce token was refused with diagnosis invalid_grant
