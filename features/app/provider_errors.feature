@app @provider_errors @github
Feature: Your app handles what the provider and WorkOS say back
  A provider can reject a token WorkOS still calls active, be down, or rate
  limit the app; WorkOS can rate limit the app too. Each needs its own answer:
  one fresh token then a reconnect, a bounded number of tries, waiting the
  Retry-After, backing off. None of them is a retry loop or a bare 5xx.
  Against `pipes-harness serve` an outage or a rate limit affects every user
  of the provider, so those scenarios run alone (@serial) and lift it after.

  Background:
    Given the app under test

  Scenario: GitHub rejects the token while WorkOS still says connected
    Given alice has connected github through the app as "alice-codes"
    When github stops accepting alice's token
    And the app calls github for alice
    Then the app asks alice to reconnect github

  @serial
  Scenario: GitHub is down and the app gives up without a retry loop
    Given alice has connected github through the app as "alice-codes"
    When github answers every call with 503
    And the app calls github for alice
    Then the app gives up on github without a retry loop

  @serial
  Scenario: GitHub rate-limits the app and the app waits the Retry-After
    Given alice has connected github through the app as "alice-codes"
    When github rate-limits the next call for 60 seconds
    And the app calls github for alice
    Then the app waits the Retry-After before calling github again

  @serial
  Scenario: WorkOS rate-limits the app and the app backs off
    Given alice has connected github through the app as "alice-codes"
    When WorkOS rate-limits the app's next token request
    And the app calls github for alice
    Then the app backs off from WorkOS
