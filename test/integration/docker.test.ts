// The Docker image and compose stack, tested without a Docker engine: the files, the names and the start command.

import { existsSync, readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect } from 'chai';
import { configSettings } from '../../lib/config/docs.js';
import { cleanEnv, ROOT } from '../helpers/cli.js';
import { startServerProcess } from '../helpers/server-process.js';
import { startEnv, startNodeFlags, startOldSpaceMb } from '../helpers/start-command.js';
import { parseSimpleYaml } from '../helpers/simple-yaml.js';
import type { YamlValue } from '../helpers/simple-yaml.js';
import { freePort } from '../helpers/ports.js';

const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const instructions = dockerfile.split('\n').reduce<string[]>((all, line) => {
  // Backslash-continued lines are one instruction.
  if (all.length > 0 && all[all.length - 1]!.endsWith('\\')) all[all.length - 1] = `${all[all.length - 1]!.slice(0, -1)} ${line.trim()}`;
  else if (line.trim() !== '' && !line.startsWith('#')) all.push(line.trim());
  return all;
}, []);
const jsonArgs = (name: string): string[] => {
  const line = instructions.find((candidate) => candidate.startsWith(`${name} `)) ?? '';
  return JSON.parse(line.slice(line.indexOf('['))) as string[];
};

function asMap(value: YamlValue | undefined, what: string): Record<string, YamlValue> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what} is not a map`);
  return value;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => { resolve({ code, output }); }));
}

describe('Docker image and compose file', function () {
  this.timeout(60_000);

  it('every file the Dockerfile COPYs exists after the build, and none is excluded by .dockerignore', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((line) => line.trim()).filter(Boolean);
    const copies = instructions.filter((line) => line.startsWith('COPY '));
    expect(copies.length).to.be.greaterThan(3);
    for (const copy of copies) {
      const parts = copy.split(/\s+/).slice(1);
      const fromBuild = parts[0]?.startsWith('--from=') === true;
      const sources = parts.filter((part) => !part.startsWith('--')).slice(0, -1);
      for (const source of sources) {
        // The build stages' WORKDIR is /app, laid out like this checkout after `npm ci` and `npm run build`.
        const path = fromBuild ? source.replace(/^\/app\//, '') : source;
        expect(existsSync(join(ROOT, path)), `${copy}: ${path}`).to.equal(true);
        if (!fromBuild) expect(ignored, `${path} is in .dockerignore`).to.not.include(path);
      }
    }
    // The script node runs: its first argument that is not a flag.
    for (const [name, args] of [['CMD', jsonArgs('CMD')], ['HEALTHCHECK', jsonArgs('HEALTHCHECK')]] as const) {
      const script = args.slice(1).find((arg) => !arg.startsWith('--'));
      expect(existsSync(join(ROOT, script!)), `${name} ${script}`).to.equal(true);
    }
    expect(existsSync(join(ROOT, 'dist/docker/cli.js'))).to.equal(true);
  });

  it('runs as a non-root user, on a Node LTS still supported (22 or 24, not 20), with a HEALTHCHECK and a STOPSIGNAL', () => {
    const bases = instructions.filter((line) => line.startsWith('FROM ')).map((line) => line.split(/\s+/)[1]);
    expect(bases.length).to.be.greaterThan(1);
    for (const base of bases) expect(base).to.match(/^node:(22|24)-bookworm-slim$/);
    expect(new Set(bases).size, 'one Node version in every stage').to.equal(1);
    expect(instructions).to.include('USER node');
    expect(instructions).to.include('STOPSIGNAL SIGTERM');
    expect(jsonArgs('HEALTHCHECK')).to.deep.equal(['node', 'dist/docker/cli.js', 'healthcheck']);
  });

  it('sets no configuration variable but NODE_ENV, so a config file decides the port and the database; its volume holds the default database', () => {
    const known = configSettings().map((setting) => setting.env);
    const set = instructions.filter((line) => line.startsWith('ENV ')).flatMap((line) => [...line.slice(4).matchAll(/(\w+)=/g)].map((match) => match[1]!));
    expect(set.filter((name) => known.includes(name))).to.deep.equal(['NODE_ENV']);
    const workdir = instructions.filter((line) => line.startsWith('WORKDIR ')).at(-1)!.split(/\s+/)[1]!;
    const defaultUrl = configSettings().find((setting) => setting.key === 'database.url')!.default as string;
    const volume = JSON.parse(instructions.find((line) => line.startsWith('VOLUME '))!.slice(7)) as string[];
    expect(volume).to.deep.equal([join(workdir, dirname(defaultUrl))]);
  });

  it('compose refuses to start without passwords: none has a default', () => {
    const compose = readFileSync(join(ROOT, 'docker/compose.yml'), 'utf8');
    const uses = [...compose.matchAll(/\$\{(\w*PASSWORD\w*)([^}]*)\}/g)];
    expect(uses.length).to.be.greaterThan(2);
    for (const [whole, , rest] of uses) expect(rest, whole).to.match(/^:\?\S/);
    expect(compose).to.not.match(/change-me/);
  });

  it('the compose file parses, gates the relay on a healthy MySQL 8, keeps data in a volume, and sets only variables the schema knows', () => {
    const compose = asMap(parseSimpleYaml(readFileSync(join(ROOT, 'docker/compose.yml'), 'utf8')), 'compose');
    const services = asMap(compose.services, 'services');
    const mysql = asMap(services.mysql, 'mysql');
    const relay = asMap(services.relay, 'relay');
    expect(mysql.image).to.match(/^mysql:8(\.|$)/);
    expect(asMap(mysql.healthcheck, 'mysql.healthcheck').test).to.be.an('array');
    expect(asMap(asMap(relay.depends_on, 'depends_on').mysql, 'depends_on.mysql')).to.deep.equal({ condition: 'service_healthy' });
    const volumes = Object.keys(asMap(compose.volumes, 'volumes'));
    expect(mysql.volumes).to.deep.equal([`${volumes[0]}:/var/lib/mysql`]);
    expect(asMap(relay.build, 'build')).to.deep.equal({ context: '..', dockerfile: 'Dockerfile' });
    expect(existsSync(join(ROOT, 'docker', '..', 'Dockerfile'))).to.equal(true);
    const known = configSettings().map((setting) => setting.env);
    const environment = asMap(relay.environment, 'relay.environment');
    for (const name of Object.keys(environment)) expect(known, `${name} is not a config variable`).to.include(name);
    expect(environment.DATABASE_URL).to.be.a('string').and.match(/^mysql:\/\/relay:.*@mysql:3306\/postback_relay$/);
    expect(asMap(mysql.environment, 'mysql.environment')).to.include({ MYSQL_DATABASE: 'postback_relay', MYSQL_USER: 'relay' });
  });

  it('the small YAML parser refuses what it does not understand instead of misreading it', () => {
    expect(parseSimpleYaml('a:\n  b: "x"\n  c:\n    - 1\n    - two\n')).to.deep.equal({ a: { b: 'x', c: ['1', 'two'] } });
    expect(() => parseSimpleYaml('a: {b: 1}\n')).to.throw(/subset/);
    expect(() => parseSimpleYaml('a: 1\na: 2\n')).to.throw(/duplicate/);
    expect(() => parseSimpleYaml('a: 1\n    b: 2\n')).to.throw(/indentation/);
  });

  it("the image's CMD takes its port and database from a config file with the image's env, and its HEALTHCHECK reads the same file", async () => {
    const imageEnv = Object.fromEntries(
      instructions
        .filter((line) => line.startsWith('ENV '))
        .flatMap((line) => [...line.slice(4).matchAll(/(\w+)=(\S+)/g)].map((match) => [match[1]!, match[2]!])),
    );
    expect(imageEnv).to.deep.equal({ NODE_ENV: 'production', ...startEnv() });
    const [command, ...args] = jsonArgs('CMD');
    // The image runs the server as `npm start` does, heap sizing included (docs/performance.md, "Memory").
    expect([command, ...args]).to.deep.equal(['node', ...startNodeFlags(), 'dist/docker/server.js']);
    // A free port, and a temporary directory standing in for the volume.
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'pb-data-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ http: { port, host: '127.0.0.1' }, database: { url: join(dir, 'postback-relay.sqlite') }, apiKeys: ['docker-test-key-1'], secret: 'docker-test-secret-of-32-characters!' }));
    const env = cleanEnv({ ...imageEnv, POSTBACK_RELAY_CONFIG_FILE: file });
    const server = await startServerProcess(command!, args, { cwd: ROOT, env });
    try {
      expect(new URL(server.url).port).to.equal(String(port));
      expect(server.logs.find((log) => log.msg === 'postback-relay listening')?.heapLimitMb).to.be.within(startOldSpaceMb(), startOldSpaceMb() + 16);
      const [checkCommand, ...checkArgs] = jsonArgs('HEALTHCHECK');
      const healthy = await run(checkCommand!, checkArgs, env);
      expect(healthy.code, healthy.output).to.equal(0);
      expect(healthy.output).to.include(`127.0.0.1:${port}/readyz answered 200`);
    } finally {
      expect(await server.stop()).to.equal(0);
    }
    const [checkCommand, ...checkArgs] = jsonArgs('HEALTHCHECK');
    const unhealthy = await run(checkCommand!, checkArgs, env);
    expect(unhealthy.code).to.equal(1);
  });
});
