@redirect_uri_mismatch
Feature: Redirect URI mismatch
  The most common OAuth failure: the callback URL registered on the
  provider's OAuth app is not exactly the redirect URI WorkOS sends. One
  character is enough: a trailing slash, http instead of https, a typo in
  the path. GitHub then sends the browser to the URL it has on file with
  error=redirect_uri_mismatch; Google, Slack and Salesforce stop on an error
  page of their own. Either way WorkOS never hears back and no connection
  is made.

  The transcripts name WorkOS http://workos.test, so its redirect URI for
  GitHub reads http://workos.test/sso/callback/github.

  @github
  Scenario: The GitHub OAuth app is registered with a different callback URL
    Given the github integration uses custom credentials
    And the github OAuth app's callback URL is "https://example.com/auth/github/callback"
    And alice signs in to github as "alice-codes"
    When alice connects github
    Then the connection fails with diagnosis redirect_uri_mismatch
    And the diagnosis explains the root cause and the fix
    And the diagnosis mentions "redirect_uri MUST match"
    And alice has no github connection

  Scenario Outline: The <provider> callback URL differs by <difference>
    Given the <provider> integration uses custom credentials
    And the <provider> OAuth app's callback URL is "<registered>"
    And alice signs in to <provider> as "<login>"
    When alice connects <provider>
    Then the connection fails with diagnosis redirect_uri_mismatch
    And the diagnosis explains the root cause and the fix
    And the diagnosis mentions "<said>"
    And alice has no <provider> connection

    @github
    Examples: GitHub sends the browser to the callback it has on file
      | provider | login       | difference         | registered                               | said                     |
      | github   | alice-codes | a trailing slash   | http://workos.test/sso/callback/github/  | redirect_uri MUST match  |
      | github   | alice-codes | its scheme         | https://workos.test/sso/callback/github  | instead of the WorkOS callback |
      | github   | alice-codes | a typo in the path | http://workos.test/sso/calback/github    | redirect_uri MUST match  |

    @slack
    Examples: Slack stops on its own error page
      | provider | login | difference         | registered                              | said                                             |
      | slack    | alice | a trailing slash   | http://workos.test/sso/callback/slack/  | redirect_uri did not match any configured URIs   |
      | slack    | alice | its scheme         | https://workos.test/sso/callback/slack  | redirect_uri did not match any configured URIs   |
      | slack    | alice | a typo in the path | http://workos.test/sso/callback/slak    | redirect_uri did not match any configured URIs   |

    @google
    Examples: Google shows "Error 400: redirect_uri_mismatch"
      | provider | login             | difference         | registered                               | said                               |
      | google   | alice@example.com | a trailing slash   | http://workos.test/sso/callback/google/  | doesn't comply with Google's OAuth |
      | google   | alice@example.com | its scheme         | https://workos.test/sso/callback/google  | doesn't comply with Google's OAuth |
      | google   | alice@example.com | a typo in the path | http://workos.test/sso/callbak/google    | doesn't comply with Google's OAuth |

    @salesforce
    Examples: Salesforce shows its remote access error page
      | provider   | login             | difference         | registered                                   | said                                  |
      | salesforce | alice@example.com | a trailing slash   | http://workos.test/sso/callback/salesforce/  | redirect_uri must match configuration |
      | salesforce | alice@example.com | its scheme         | https://workos.test/sso/callback/salesforce  | redirect_uri must match configuration |
      | salesforce | alice@example.com | a typo in the path | http://workos.test/sso/callback/salesforse   | redirect_uri must match configuration |

  Scenario Outline: Pasting the exact redirect URI into the <provider> app fixes the flow
    Given the <provider> integration uses custom credentials
    And the <provider> OAuth app's callback URL is "<registered>"
    And alice signs in to <provider> as "<login>"
    When alice connects <provider>
    Then the connection fails with diagnosis redirect_uri_mismatch
    When the <provider> OAuth app's callback URL is corrected to the WorkOS redirect URI
    And alice connects <provider>
    Then alice's <provider> connection is connected

    @github
    Examples: GitHub
      | provider | login       | registered                              |
      | github   | alice-codes | http://workos.test/sso/callback/github/ |

    @google
    Examples: Google
      | provider | login             | registered                              |
      | google   | alice@example.com | https://workos.test/sso/callback/google |
