// The Docker image and compose stack, tested without a Docker engine: the files, the names and the start command.

import { existsSync, readFileSync, mkdtempSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { configSettings } from '../../lib/config/docs.js';
import { cleanEnv, ROOT } from '../helpers/cli.js';
import { startServerProcess } from '../helpers/server-process.js';
import { parseSimpleYaml } from '../helpers/simple-yaml.js';
import type { YamlValue } from '../helpers/simple-yaml.js';

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
      const fromBuild = parts[0] === '--from=build';
      const sources = parts.filter((part) => !part.startsWith('--')).slice(0, -1);
      for (const source of sources) {
        // The build stage's WORKDIR is /app, laid out like this checkout after `npm run build`.
        const path = fromBuild ? source.replace(/^\/app\//, '') : source;
        expect(existsSync(join(ROOT, path)), `${copy}: ${path}`).to.equal(true);
        if (!fromBuild) expect(ignored, `${path} is in .dockerignore`).to.not.include(path);
      }
    }
    for (const [name, args] of [['CMD', jsonArgs('CMD')], ['HEALTHCHECK', jsonArgs('HEALTHCHECK')]] as const) {
      expect(existsSync(join(ROOT, args[1]!)), `${name} ${args[1]}`).to.equal(true);
    }
    expect(existsSync(join(ROOT, 'dist/docker/cli.js'))).to.equal(true);
  });

  it('runs as a non-root user, on the supported Node image, with a HEALTHCHECK and a STOPSIGNAL', () => {
    const engines = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    const major = /\d+/.exec(engines)![0];
    const bases = instructions.filter((line) => line.startsWith('FROM ')).map((line) => line.split(/\s+/)[1]);
    expect(bases).to.deep.equal([`node:${major}-bookworm-slim`, `node:${major}-bookworm-slim`]);
    expect(instructions).to.include('USER node');
    expect(instructions).to.include('STOPSIGNAL SIGTERM');
    expect(jsonArgs('HEALTHCHECK')).to.deep.equal(['node', 'dist/docker/healthcheck.js']);
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

  it("the image's CMD serves outside a container with the image's env, and its HEALTHCHECK passes against it", async () => {
    const imageEnv = Object.fromEntries(
      instructions
        .filter((line) => line.startsWith('ENV '))
        .flatMap((line) => [...line.slice(4).matchAll(/(\w+)=(\S+)/g)].map((match) => [match[1]!, match[2]!])),
    );
    expect(imageEnv).to.include({ NODE_ENV: 'production', PORT: '3000' });
    const [command, ...args] = jsonArgs('CMD');
    // /data is the image's volume; here a temporary directory stands in for it. Port 0: 3000 may be taken.
    const env = cleanEnv({ ...imageEnv, DATABASE_URL: join(mkdtempSync(join(tmpdir(), 'pb-data-')), 'postback-relay.sqlite'), PORT: '0', POSTBACK_RELAY_API_KEYS: 'docker-test-key-1', POSTBACK_RELAY_SECRET: 'docker-test-secret-of-32-characters!' });
    const server = await startServerProcess(command!, args, { cwd: ROOT, env });
    try {
      const port = new URL(server.url).port;
      const [checkCommand, ...checkArgs] = jsonArgs('HEALTHCHECK');
      const healthy = await run(checkCommand!, checkArgs, { ...env, PORT: port });
      expect(healthy.code, healthy.output).to.equal(0);
      expect(healthy.output).to.include('"status":"ok"');
    } finally {
      expect(await server.stop()).to.equal(0);
    }
    const unhealthy = await run('node', ['dist/docker/healthcheck.js'], { ...env, PORT: '1' });
    expect(unhealthy.code).to.equal(1);
  });
});
