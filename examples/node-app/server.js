// The example app, done right. See app.js for the routes and configuration.
'use strict';

const { createApp, listen } = require('./app');

listen(createApp(process.env), process.env);
