@organizations @github
Feature: An organization's shared connection
  An organization-owned integration holds one connection per organization
  (connection_owner organization): a member connects the organization's
  own account once, and the app gets that token for any member who asks.
  WorkOS checks membership on every call: someone outside the organization
  gets 403 organization_membership_required, and when the member who
  established the connection leaves, it needs reauthorization.

  Background:
    Given the github integration is configured for organizations
    And carol is an admin of "Acme"
    And bob is a member of "Acme"
    And carol signs in to github as "acme-ops"

  Scenario: Carol connects Acme's account, and bob's call gets the same token
    When carol connects the shared github account of the organization "Acme"
    Then no failure was diagnosed
    And the shared github connection of the organization "Acme" is connected
    And the shared github connection of the organization "Acme" was established by carol
    When the app asks WorkOS for the shared github token of the organization "Acme" for bob
    Then the app gets the shared github token of the organization "Acme"

  @organization_membership_required
  Scenario: Someone outside the organization cannot connect its account
    Given dave signs in to github as "dave-codes"
    When dave connects the shared github account of the organization "Acme"
    Then the connection fails with diagnosis organization_membership_required
    And the diagnosis mentions "is not an active member of organization"
    And the diagnosis explains the root cause and the fix
    And the shared github connection of the organization "Acme" is disconnected

  @organization_membership_required
  Scenario: Someone outside the organization cannot use its token
    Given carol has connected the shared github account of the organization "Acme"
    When the app asks WorkOS for the shared github token of the organization "Acme" for dave
    Then the diagnosis is organization_membership_required
    When the app asks WorkOS for the shared github token of the organization "Acme" for bob
    Then the app gets the shared github token of the organization "Acme"

  @needs_reauthorization @organization_membership_required
  Scenario: The member who connected it leaves, and the connection needs reauthorization
    Given carol has connected the shared github account of the organization "Acme"
    When carol's membership of "Acme" ends
    Then the shared github connection of the organization "Acme" is needs_reauthorization
    When the app asks WorkOS for the shared github token of the organization "Acme" for bob
    Then the diagnosis is needs_reauthorization
    When carol connects the shared github account of the organization "Acme"
    Then the connection fails with diagnosis organization_membership_required
