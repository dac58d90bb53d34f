#!/usr/bin/env node
// `npx pipes-harness ...`: runs the platform package's binary with the same
// arguments, passes signals on and exits with its code.
'use strict';

const { spawn } = require('node:child_process');
const { binaryPath } = require('..');

let binary;
try {
  binary = binaryPath();
} catch (e) {
  console.error(`error: ${e.message}`);
  process.exit(2);
}
const child = spawn(binary, process.argv.slice(2), { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal));
}
child.on('error', (e) => {
  console.error(`error: could not run ${binary}: ${e.message}`);
  process.exit(2);
});
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
