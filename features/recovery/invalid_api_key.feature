@invalid_api_key @github
Feature: Invalid WorkOS API key
  Every call to WorkOS carries WORKOS_API_KEY as a bearer token. WorkOS
  answers 401 to a request without one, to a value that is not an sk_ key
  (the client ID is the usual suspect), to a key revoked in the dashboard
  and to a key WorkOS does not know, such as one copied from another
  account. Nothing the app retries helps until the key is right.

  Background:
    Given the github integration is configured
    And alice signs in to github as "alice-codes"
    And alice has connected github

  Scenario: WORKOS_API_KEY is not set
    Given the app has no WorkOS API key
    When the app asks WorkOS for alice's github token
    Then the diagnosis is invalid_api_key
    And the diagnosis explains the root cause and the fix
    And the diagnosis mentions "Unauthorized"

  Scenario: The client ID was pasted where the API key belongs
    Given the app's WorkOS API key is "client_01HZZZZZZZZZZZZZZZZZZZZZZZ"
    When the app asks WorkOS for alice's github token
    Then the diagnosis is invalid_api_key
    And the diagnosis mentions "sk_"

  Scenario: The API key was revoked in the dashboard
    Given the app's WorkOS API key was revoked
    When the app calls GET "/user" on github for alice
    Then the diagnosis is invalid_api_key
    And the app backed off 0 times

  Scenario: The API key belongs to an environment of another WorkOS account
    Given the app uses an API key from another WorkOS account
    When alice connects github
    Then the diagnosis is invalid_api_key

  Scenario: With the right key the same request works
    Given the app has no WorkOS API key
    When the app asks WorkOS for alice's github token
    Then the diagnosis is invalid_api_key
    When the app switches to the sandbox API key
    And the app asks WorkOS for alice's github token
    Then the app gets a github token
