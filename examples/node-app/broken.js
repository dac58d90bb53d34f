// The same app with three classic mistakes, so the harness can show it
// catches them. Do not copy this file.
//
// 1. The webhook handler parses the JSON and verifies JSON.stringify of the
//    parsed object instead of the raw bytes WorkOS signed. Compact events
//    happen to round-trip; any other formatting is rejected, so genuine
//    events get lost.
// 2. To silence "Timestamp outside the tolerance zone" errors it passes an
//    enormous tolerance (and never checks future timestamps), so captured
//    deliveries can be replayed forever.
// 3. It treats `needs_reauthorization` from the token endpoint as a passing
//    hiccup: it retries the token request, then reports a generic error
//    instead of asking the user to reconnect.
'use strict';

const { createApp, listen } = require('./app');

async function verifyReserializedWithoutTolerance(workos, rawBody, sigHeader, secret) {
  const parsed = JSON.parse(rawBody.toString('utf8'));
  return workos.webhooks.constructEvent({
    payload: JSON.stringify(parsed),
    sigHeader,
    secret,
    tolerance: Number.MAX_SAFE_INTEGER,
  });
}

async function fetchTokenRetrying(workos, provider, userId) {
  for (let attempt = 0; attempt < 20; attempt++) {
    const result = await workos.pipes.getAccessToken({ provider, userId });
    if (result.active) return result;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('GitHub is temporarily unavailable, please try again later');
}

listen(
  createApp(process.env, {
    verifyWebhook: verifyReserializedWithoutTolerance,
    fetchToken: fetchTokenRetrying,
  }),
  process.env,
);
