@providers @stubs
Feature: Any provider endpoint, stubbed
  The provider mocks model the endpoints most integrations start with. For
  any other, the team stubs the answer it expects, and the app's call still
  goes through a fresh token from WorkOS first. A path nobody stubbed gets
  the provider's own not-found answer, diagnosed as such, and the transcript
  says how to stub it.

  @github
  Scenario: The app reads a repository the GitHub mock does not model
    Given the github integration is configured
    And alice signs in to github as "alice-codes"
    And alice has connected github
    And github answers GET "/repos/acme/api" with HTTP 200 and body '{"full_name": "acme/api", "private": true}'
    When the app calls GET "/repos/acme/api" on github for alice
    Then the github call succeeds
    And the response field "full_name" is "acme/api"

  @slack
  Scenario: The app posts a Slack message with a JSON body
    Given the slack integration is configured
    And alice signs in to slack as "alice"
    And alice has connected slack
    And slack answers POST "/api/chat.postMessage" with HTTP 200, headers "x-slack-req-id: 42" and body '{"ok": true, "channel": "C1", "ts": "1700000000.000100"}'
    When the app calls POST "/api/chat.postMessage" on slack for alice with body '{"channel": "C1", "text": "Deploy finished"}'
    Then the slack call succeeds
    And the response field "ts" is "1700000000.000100"

  @google
  Scenario: The app creates a Google Calendar event
    Given the google integration is configured
    And alice signs in to google as "alice@example.com"
    And alice has connected google
    And google answers POST "/calendar/v3/calendars/primary/events" with HTTP 200 and body '{"id": "evt1", "status": "confirmed"}'
    When the app calls POST "/calendar/v3/calendars/primary/events" on google for alice with body '{"summary": "Standup"}'
    Then google answered HTTP 200
    And the response field "status" is "confirmed"

  @github
  Scenario: A GitHub path nobody stubbed answers GitHub's own 404
    Given the github integration is configured
    And alice signs in to github as "alice-codes"
    And alice has connected github
    When the app calls GET "/repos/acme/missing" on github for alice
    Then the call fails with diagnosis resource_not_found
    And github answered HTTP 404
    And the transcript notes "this mock does not serve GET /repos/acme/missing"

  @salesforce
  Scenario: A Salesforce record that does not exist is not found, not a broken proxy
    Given the salesforce integration is configured
    And alice signs in to salesforce as "alice@example.com"
    And alice has connected salesforce
    When the app calls GET "/services/data/v62.0/sobjects/Account/001000000000001" on salesforce for alice
    Then the call fails with diagnosis resource_not_found
    And salesforce answered HTTP 404
