@github @redirect_uri_mismatch
Feature: Redirect URI mismatch
  The most common OAuth failure: the callback URL registered on the
  provider's OAuth app is not the one WorkOS sends. GitHub then refuses to
  send the code to WorkOS and redirects the browser to the URL it has on
  file, with error=redirect_uri_mismatch. WorkOS never hears back.

  Scenario: The GitHub OAuth app is registered with a different callback URL
    Given the github integration uses custom credentials
    And the github OAuth app's callback URL is "https://example.com/auth/github/callback"
    And alice signs in to github as "alice-codes"
    When alice connects github
    Then the connection fails with diagnosis redirect_uri_mismatch
    And the diagnosis explains the root cause and the fix
    And the diagnosis mentions "redirect_uri MUST match"
    And alice has no github connection
