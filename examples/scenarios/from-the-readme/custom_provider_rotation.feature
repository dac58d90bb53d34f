Feature: A team's custom "tracker" provider, written from the README alone

  Scenario: short-lived rotating tokens are refreshed at the refresh URL, until the user revokes the app
    Given the custom provider "tracker" behaves as:
      | client_authentication | client_secret_post |
      | access_token_lifetime | 30 minutes         |
      | refresh_tokens        | rotated            |
      | scope_separator       | comma              |
    And the custom provider "tracker" is defined with:
      | refresh_token_url       | http://tracker.test/refresh |
      | request_scope_separator | comma                       |
      | scopes                  | issues:read, issues:write   |
    And alice signs in to the custom provider "tracker" as "alice@tracker.test"
    When alice connects the custom provider "tracker"
    Then alice's connection to the custom provider "tracker" is connected
    And alice's connection to the custom provider "tracker" has scopes "issues:read, issues:write"
    And the authorize page of the custom provider "tracker" received the scope "issues:read,issues:write"
    And WorkOS authenticated to the custom provider "tracker" with client_secret_post
    When 45 minutes pass
    And the app asks WorkOS for alice's token of the custom provider "tracker"
    Then the app gets a token of the custom provider "tracker"
    And WorkOS refreshed the token of the custom provider "tracker" at "http://tracker.test/refresh"
    And the custom provider "tracker" rotated alice's refresh token
    When the custom provider "tracker" revokes alice's tokens
    And the app calls the userinfo endpoint of the custom provider "tracker" for alice
    Then the call fails with diagnosis token_revoked
    When 45 minutes pass
    And the app asks WorkOS for alice's token of the custom provider "tracker"
    Then alice's connection to the custom provider "tracker" is needs_reauthorization

  Scenario: the integration joins scopes with spaces but the provider splits on commas
    Given the custom provider "tracker" behaves as:
      | scope_separator | comma               |
      | scopes          | issues:read, issues:write |
    And the custom provider "tracker" is defined with:
      | scopes | issues:read, issues:write |
    When alice connects the custom provider "tracker"
    Then the connection fails with diagnosis invalid_scope
    And the diagnosis mentions "request_scope_separator"
