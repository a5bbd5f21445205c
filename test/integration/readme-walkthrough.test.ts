// The README's walkthrough, command by command, against `npm start` on the embedded SQLite default (in a temporary
// directory): the commands are read from README.md, so a README that drifts from the server fails here.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { cleanEnv, ROOT } from '../helpers/cli.js';
import { startServerProcess } from '../helpers/server-process.js';
import { startTestTracker } from '../helpers/tracker.js';
import { readmeBlock } from '../helpers/readme.js';

/** Shell words and commands of a small sh subset: quotes, `$VAR`, `;` and newlines between commands, `#` comments. */
export function shellCommands(script: string, vars: Record<string, string>): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word: string | undefined;
  const add = (text: string) => {
    word = `${word ?? ''}${text}`;
  };
  let quote: '"' | "'" | undefined;
  const end = () => {
    if (word !== undefined) words.push(word);
    word = undefined;
  };
  const endCommand = () => {
    end();
    if (words.length > 0) commands.push(words);
    words = [];
  };
  for (let i = 0; i < script.length; i += 1) {
    const char = script[i]!;
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else add(char);
    } else if (char === '$' && /[A-Z_]/.test(script[i + 1] ?? '')) {
      const name = /^[A-Z_]+/.exec(script.slice(i + 1))?.[0] ?? '';
      const value = vars[name];
      if (value === undefined) throw new Error(`the walkthrough uses $${name}, which it never set`);
      add(value);
      i += name.length;
    } else if (quote === '"') {
      if (char === '"') quote = undefined;
      else add(char);
    } else if (char === '"' || char === "'") {
      quote = char;
      word ??= '';
    } else if (char === '#' && word === undefined) {
      while (i + 1 < script.length && script[i + 1] !== '\n') i += 1;
    } else if (char === '\n' || char === ';') {
      endCommand();
    } else if (char === ' ' || char === '\t') {
      end();
    } else {
      add(char);
    }
  }
  endCommand();
  return commands;
}

/** A `curl` command line as a fetch: method, URL, headers and body. */
function curlRequest(args: string[]): { method: string; url: string; headers: Record<string, string>; body: string | undefined } {
  let method = 'GET';
  let url = '';
  let body: string | undefined;
  const headers: Record<string, string> = {};
  for (let i = 1; i < args.length; i += 1) {
    const arg = args[i]!;
    if (arg === '-s') continue;
    if (arg === '-X') method = args[++i]!;
    else if (arg === '-H') {
      const [name = '', ...value] = args[++i]!.split(':');
      headers[name.trim()] = value.join(':').trim();
    } else if (arg === '-d') body = args[++i];
    else if (arg.startsWith('-')) throw new Error(`the walkthrough's curl uses ${arg}, which this test does not know`);
    else url = arg;
  }
  return { method: body !== undefined && method === 'GET' ? 'POST' : method, url, headers, body };
}

describe('README walkthrough against `npm start`', function () {
  this.timeout(240_000);

  it('every command answers as the README says, and the postbacks carry lead-1001, com-5001, adj-9001', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const start = /^POSTBACK_RELAY_API_KEYS=(\S+) npm start$/m.exec(readme);
    expect(start, 'the README starts the server with its own key').to.not.equal(null);
    const apiKey = start![1]!;
    const script = readmeBlock('walkthrough');
    // The first line sets the variables the commands use.
    const assignments = shellCommands(script.split('\n')[0] ?? '', {});
    const vars = Object.fromEntries(assignments.map(([assignment = '']) => assignment.split('=') as [string, string]));
    const commands = shellCommands(script, { ...vars }).slice(assignments.length);
    expect(vars.KEY, 'the walkthrough uses the key the server was started with').to.equal(apiKey);
    expect(commands.length).to.be.greaterThan(4);

    const tracker = await startTestTracker();
    const dataDir = mkdtempSync(join(tmpdir(), 'pb-walkthrough-'));
    // `npm start` builds first (prestart), which takes a while on a busy machine.
    const server = await startServerProcess('npm', ['start', '--silent'], {
      cwd: ROOT,
      timeoutMs: 180_000,
      env: cleanEnv({ POSTBACK_RELAY_API_KEYS: apiKey, PORT: '0', POSTBACK_RELAY_HOST: '127.0.0.1', DATABASE_URL: join(dataDir, 'postback-relay.sqlite'), POSTBACK_RELAY_TARGET_ALLOWLIST: '127.0.0.1' }),
    });
    try {
      // The README's API on port 3000 is this server's (on a free port); its tracker is the one on 127.0.0.1.
      expect(new URL(server.url).pathname).to.equal(new URL(vars.API!).pathname);
      const answers: Array<{ status: number; body: { data?: unknown } }> = [];
      for (const command of shellCommands(script, { ...vars, API: server.url }).slice(assignments.length)) {
        expect(command[0], command.join(' ')).to.equal('curl');
        const request = curlRequest(command);
        const body = request.body?.replace('https://tracker.example', tracker.origin);
        const response = await fetch(request.url, { method: request.method, headers: request.headers, ...(body === undefined ? {} : { body }) });
        answers.push({ status: response.status, body: (await response.json()) as { data?: unknown } });
      }
      expect(answers.map((answer) => answer.status)).to.deep.equal([201, 201, 201, 201, 200]);
      const postbacks = await tracker.waitFor(3);
      expect(postbacks.map((postback) => postback.query.txid)).to.have.members(['lead-1001', 'com-5001', 'adj-9001']);
      expect(postbacks.map((postback) => postback.query.cid)).to.deep.equal(['123abc', '123abc', '123abc']);
      expect(answers[4]?.body.data).to.have.length(3);
    } finally {
      await server.stop();
      await tracker.close();
    }
  });

  it('reads quotes, variables and comments the way sh does', () => {
    expect(shellCommands(`A=1; B=x\n# note\ncurl -s "$B/y" -H 'K: $A' -d '{\n "a": 1\n}'\n`, { B: 'http://h' })).to.deep.equal([
      ['A=1'],
      ['B=x'],
      ['curl', '-s', 'http://h/y', '-H', 'K: $A', '-d', '{\n "a": 1\n}'],
    ]);
  });
});
