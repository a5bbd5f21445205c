// The conformance kit under node:test: a passing plugin passes, a broken one fails on the check that catches it.

import { expect } from 'chai';
import { runToEnd } from '../helpers/child-run.js';

const FIXTURE = new URL('../fixtures/conformance-runners/node-test.ts', import.meta.url).pathname;

function runNodeTest(env: Record<string, string>) {
  return runToEnd(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', FIXTURE], { env: { ...process.env, ...env } });
}

describe('conformance kit under node:test', function () {
  this.timeout(60_000);

  it('runs every check as a node:test test, passing a correct plugin', async () => {
    const run = await runNodeTest({});
    expect(run.code, run.output).to.equal(0);
    expect(run.output).to.include('conformance: plugin "runner-check"');
    expect(run.output).to.match(/^ℹ pass 8$/m);
  });

  it('fails a plugin that does not encode click IDs, naming the check', async () => {
    const run = await runNodeTest({ PB_BREAK: '1' });
    expect(run.code).to.equal(1);
    expect(run.output).to.match(/^ℹ fail 1$/m);
    expect(run.output).to.match(/✖ URL-encodes click IDs with &, #, spaces and unicode, adding no parameter/);
  });

  it('says how to pass the runner when there is no global describe', async () => {
    const run = await runNodeTest({ PB_NO_RUNNER: '1' });
    expect(run.code).to.equal(1);
    expect(run.output).to.include("no global describe/it here; pass your runner's, e.g. { describe, it } from 'node:test'");
  });
});
