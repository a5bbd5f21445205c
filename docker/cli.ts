#!/usr/bin/env node
// The `postback-relay` binary: hands argv and the process environment to the CLI and exits with its code.

import { runCli } from '../lib/cli/main.js';

process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
