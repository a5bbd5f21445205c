// The test set-up itself: `mocha <file>` runs that file alone, CI's script shares no fixed /tmp path, and the run
// notices a write into the user's ./data/.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { runMocha } from '../helpers/child-run.js';
import { snapshotDataDir } from '../helpers/hooks.js';

const ROOT = new URL('../../', import.meta.url).pathname;

describe('test set-up', function () {
  this.timeout(60_000);

  it('`mocha <file>` with the repo\'s .mocharc.json runs just that file (the suite\'s glob lives in `npm test`)', async () => {
    const { code, output } = await runMocha(['test/fixtures/one-test/one.ts']);
    expect(code, output).to.equal(0);
    expect(output).to.match(/\b1 passing\b/);
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.test).to.include("mocha 'test/**/*.test.ts'");
  });

  it('.ci/run writes only into its own mktemp directory, requires MySQL and Chromium, and runs the README\'s `npm test`', () => {
    const script = readFileSync(join(ROOT, '.ci/run'), 'utf8');
    expect(script).to.match(/work=\$\(mktemp -d /);
    const fixed = script.split('\n').filter((line) => !line.trim().startsWith('#') && /\/tmp\//.test(line) && !line.includes('mktemp'));
    expect(fixed, 'lines with a fixed /tmp path').to.deep.equal([]);
    expect(script).to.match(/PB_REQUIRE_MYSQL=1 PB_REQUIRE_BROWSER=1 npm test\b/);
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).to.match(/^npm test\b/m);
  });

  it('the ./data/ check sees a file added or changed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pb-data-check-'));
    const empty = snapshotDataDir(dir);
    writeFileSync(join(dir, 'postback-relay.sqlite'), 'x');
    const one = snapshotDataDir(dir);
    expect(Object.keys(empty)).to.deep.equal([]);
    expect(Object.keys(one)).to.deep.equal(['postback-relay.sqlite']);
    writeFileSync(join(dir, 'postback-relay.sqlite'), 'xy');
    expect(snapshotDataDir(dir)['postback-relay.sqlite']).to.not.equal(one['postback-relay.sqlite']);
  });
});
