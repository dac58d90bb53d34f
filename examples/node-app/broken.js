// The example app with one classic mistake switched on, so the harness can
// show it catching it. Do not copy this file. Pick the mistake with
// APP_MISTAKE (see app.js for the list), e.g.
//
//   APP_MISTAKE=cache_token node broken.js
'use strict';

const { createApp, listen, MISTAKES } = require('./app');

if (!process.env.APP_MISTAKE) {
  console.error(`broken.js needs APP_MISTAKE, one of: ${MISTAKES.join(', ')}`);
  process.exit(2);
}
listen(createApp(process.env), process.env);
