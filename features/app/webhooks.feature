@app @webhooks @webhook_signature_invalid
Feature: Your app's webhook endpoint listens to WorkOS and nobody else
  Anyone can POST to a public URL. WorkOS signs every delivery with the
  endpoint's secret: WorkOS-Signature: t=<milliseconds>, v1=<HMAC-SHA256 of
  "<t>.<raw body>">. The app must accept what WorkOS signed, byte for byte,
  and reject everything else with a 4xx before acting on it.

  Background:
    Given the app under test

  Scenario: A correctly signed event is accepted
    When the app receives a correctly signed event
    Then the app accepts it

  Scenario: A correctly signed event is accepted whatever its JSON formatting
    When the app receives a correctly signed event with pretty-printed JSON
    Then the app accepts it

  Scenario: An event signed with the wrong secret is rejected
    When the app receives an event signed with the wrong secret
    Then the app rejects it

  Scenario: An event whose body was tampered with is rejected
    When the app receives an event whose body was changed after signing
    Then the app rejects it

  Scenario: A replayed event with a stale timestamp is rejected
    When the app receives a replayed event with a stale timestamp
    Then the app rejects it

  Scenario: An event timestamped in the future is rejected
    When the app receives an event timestamped in the future
    Then the app rejects it

  Scenario: An unsigned event is rejected
    When the app receives an event without a signature header
    Then the app rejects it

  Scenario: An event with a malformed signature header is rejected
    When the app receives an event with a malformed signature header
    Then the app rejects it

  Scenario: A valid signature over a different body is rejected
    When the app receives an event carrying the signature of another event
    Then the app rejects it

  Scenario: The same event delivered twice is handled once
    When the app receives the same correctly signed event twice
    Then the app handles it only once
