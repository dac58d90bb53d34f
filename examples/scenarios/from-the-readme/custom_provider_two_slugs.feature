Feature: Two custom providers whose slugs start alike, written from the README alone

  Scenario: "crm" and "crm-eu" are two providers: revoking one leaves the other connected
    Given the custom provider "crm" is defined
    And the custom provider "crm-eu" is defined with:
      | authenticate_via        | basic_auth_header |
      | token_body_content_type | application/json  |
    And the custom provider "crm-eu" behaves as:
      | client_authentication | client_secret_basic |
      | token_request_body    | JSON                |
    And alice signs in to the custom provider "crm" as "alice@crm.test"
    And alice signs in to the custom provider "crm-eu" as "alice@crm-eu.test"
    When alice connects the custom provider "crm"
    And alice connects the custom provider "crm-eu"
    Then alice's connection to the custom provider "crm" is connected
    And alice's connection to the custom provider "crm-eu" is connected
    And alice's connection to the custom provider "crm-eu" is the account "alice@crm-eu.test"
    And WorkOS authenticated to the custom provider "crm" with client_secret_post
    And WorkOS authenticated to the custom provider "crm-eu" with client_secret_basic
    And the token endpoint of the custom provider "crm-eu" received a JSON body
    When the custom provider "crm-eu" revokes alice's tokens
    And the app calls the userinfo endpoint of the custom provider "crm-eu" for alice
    Then the call fails with diagnosis token_revoked
    When the app calls the userinfo endpoint of the custom provider "crm" for alice
    And the app asks WorkOS for alice's token of the custom provider "crm"
    Then the app gets a token of the custom provider "crm"
