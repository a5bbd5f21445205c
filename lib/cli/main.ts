// The `postback-relay` command line: parses arguments (node:util parseArgs), runs one command, maps failures to exit codes.

import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { loadConfig, maskedConfig } from '../config/load.js';
import type { ConfigSource, RelayConfig } from '../config/load.js';
import type { EndpointInput } from '../endpoints/types.js';
import { ConfigError, NotFoundError, RelayError } from '../errors.js';
import { EVENT_NAMES } from '../events/types.js';
import type { EventName } from '../events/types.js';
import type { DeliveryStatus } from '../deliveries/types.js';
import type { DeliveryFilter } from '../store/outbox-store.js';
import type { PostbackRelay } from '../relay.js';
import { migrationConfig, pendingMigrations } from '../store/migrations/index.js';
import { parseJsonObject } from '../http/json-shape.js';
import { check, optional, pageLimit, timestamp } from '../validation.js';
import { describeDrift } from './drift.js';
import { CliExit, EXIT } from './exit-codes.js';
import { COMMAND_HELP, MAIN_HELP } from './help.js';
import { initPluginPackage } from './plugin-init.js';
import { withDeferredListFormats } from '../server/deferred-list-format.js';

/** Where the CLI reads and writes: the process's in production, captured ones in tests. */
export interface CliIo {
  env: Readonly<Record<string, string | undefined>>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | undefined>;

const COMMON: Options = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, config: { type: 'string' } };
const COMMAND_OPTIONS: Readonly<Record<string, Options>> = {
  serve: {},
  migrate: {},
  endpoints: {
    affiliate: { type: 'string' }, offer: { type: 'string' }, name: { type: 'string' }, plugin: { type: 'string' }, url: { type: 'string' }, events: { type: 'string' },
    settings: { type: 'string' }, 'adjustment-mode': { type: 'string' },
  },
  deliveries: { lead: { type: 'string' }, 'click-id': { type: 'string' }, affiliate: { type: 'string' }, endpoint: { type: 'string' }, status: { type: 'string' } },
  drift: { click: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' }, after: { type: 'string' }, limit: { type: 'string' } },
  'send-test': { event: { type: 'string' } },
  'portal-link': { ttl: { type: 'string' } },
  config: {},
  plugin: { dir: { type: 'string' }, package: { type: 'string' } },
  healthcheck: {},
};

/** One parsed invocation, handed to a command. */
interface Invocation {
  positionals: string[];
  values: Values;
  source: ConfigSource;
  print: (human: string, data: unknown) => void;
}

/** Runs one invocation and resolves with its exit code; never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    (command === undefined ? io.stderr : io.stdout)(MAIN_HELP);
    return command === undefined ? EXIT.USAGE : EXIT.OK;
  }
  const options = COMMAND_OPTIONS[command];
  if (!options) {
    io.stderr(`postback-relay: unknown command "${command}"\n\n${MAIN_HELP}`);
    return EXIT.USAGE;
  }
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...rest], options: { ...COMMON, ...options }, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (error) {
    io.stderr(`postback-relay ${command}: ${(error as Error).message}\n\n${COMMAND_HELP[command] ?? ''}`);
    return EXIT.USAGE;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.stdout(COMMAND_HELP[command] ?? MAIN_HELP);
    return EXIT.OK;
  }
  const json = values.json === true;
  const invocation: Invocation = {
    positionals,
    values,
    source: typeof values.config === 'string' ? { env: io.env, file: values.config } : { env: io.env },
    print: (human, data) => {
      io.stdout(json ? `${JSON.stringify(data, null, 2)}\n` : human.endsWith('\n') ? human : `${human}\n`);
    },
  };
  try {
    await COMMANDS[command]?.(invocation);
    return EXIT.OK;
  } catch (error) {
    const [code, message] = classify(error);
    if (json) io.stdout(`${JSON.stringify({ error: { exitCode: code, message, ...(error instanceof RelayError ? { code: error.code } : {}) } })}\n`);
    io.stderr(`postback-relay ${command}: ${message}\n${code === EXIT.USAGE && error instanceof CliExit ? `\n${COMMAND_HELP[command] ?? ''}` : ''}`);
    return code;
  }
}

function classify(error: unknown): [number, string] {
  if (error instanceof CliExit) return [error.exitCode, error.message];
  if (error instanceof ConfigError) return [EXIT.CONFIG, error.message];
  if (error instanceof NotFoundError) return [EXIT.NOT_FOUND, error.message];
  if (error instanceof RelayError && error.statusCode < 500) return [EXIT.USAGE, error.message];
  return [EXIT.FAILURE, error instanceof Error ? error.message : String(error)];
}

const COMMANDS: Readonly<Record<string, (invocation: Invocation) => Promise<void>>> = {
  async serve({ source }) {
    const config = loadConfig(source);
    // As the standalone server loads them (docker/server.ts): got's formatters are built on first use, not at import.
    const [{ serveUntilSignalled }, { createServerLogger }] = await withDeferredListFormats(() => Promise.all([import('../server/serve.js'), import('../server/logger.js')]));
    await serveUntilSignalled(config, createServerLogger(config.log.level));
    // Resolves only on a signal, which exits the process itself.
    await new Promise<never>(() => undefined);
  },

  async migrate({ positionals, source, print }) {
    const action = oneOf(positionals[0], ['up', 'status', 'down'], 'migrate needs up, status or down');
    await withRelay(source, async (relay, config) => {
      const prefix = config.database.tablePrefix;
      if (action === 'up') {
        const ran = await relay.migrate();
        print(ran.length === 0 ? 'already up to date' : `applied: ${ran.join(', ')}`, { applied: ran });
      } else if (action === 'down') {
        const [, rolledBack] = (await relay.knex.migrate.down(migrationConfig(prefix))) as [unknown, string[]];
        print(rolledBack.length === 0 ? 'nothing to roll back' : `rolled back: ${rolledBack.join(', ')}`, { rolledBack });
      } else {
        const [done] = (await relay.knex.migrate.list(migrationConfig(prefix))) as [Array<{ name: string }>, unknown];
        const pending = await pendingMigrations(relay.knex, prefix);
        const applied = done.map((entry) => entry.name);
        print([...applied.map((name) => `applied  ${name}`), ...pending.map((name) => `pending  ${name}`)].join('\n') || 'no migrations', { applied, pending });
      }
    });
  },

  async endpoints({ positionals, values, source, print }) {
    const action = oneOf(positionals[0], ['add', 'list', 'disable'], 'endpoints needs add, list or disable');
    await withRelay(source, async (relay) => {
      if (action === 'list') {
        const list = await relay.endpoints.list(typeof values.affiliate === 'string' ? { affiliateId: values.affiliate } : {});
        print(list.map(describeEndpoint).join('\n') || 'no endpoints', list);
      } else if (action === 'disable') {
        const endpoint = await relay.endpoints.update(required(positionals[1], 'endpoints disable needs an endpoint id'), { enabled: false });
        print(`disabled ${describeEndpoint(endpoint)}`, endpoint);
      } else {
        const endpoint = await relay.endpoints.create(endpointInput(values));
        print(`added ${describeEndpoint(endpoint)}`, endpoint);
      }
    });
  },

  async deliveries({ positionals, values, source, print }) {
    const action = oneOf(
      positionals[0],
      ['list', 'show', 'replay', 'replay-failed', 'unconfirmed', 'send-again', 'mark-delivered'],
      'deliveries needs list, show, replay, replay-failed, unconfirmed, send-again or mark-delivered',
    );
    await withRelay(source, async (relay) => {
      if (action === 'list') {
        const list = await relay.deliveries.list(deliveryFilter(values));
        print(list.map((d) => `${d.id}  ${d.event}  lead ${d.leadId}  endpoint ${d.endpointId}  ${d.status}  attempts ${d.attemptCount}`).join('\n') || 'no deliveries', list);
        return;
      }
      if (action === 'replay-failed') {
        // A running relay on the same database picks the replayed deliveries up on its next look for work.
        const replayed = await relay.deliveries.replayFailed(required(values.endpoint, 'deliveries replay-failed needs --endpoint <endpoint-id>'));
        print(`replayed ${replayed} failed deliveries`, { replayed });
        return;
      }
      if (action === 'unconfirmed') {
        const list = await relay.deliveries.list({ status: 'unconfirmed', endpointId: typeof values.endpoint === 'string' ? values.endpoint : undefined });
        print(list.map((d) => `${d.id}  ${d.event}  lead ${d.leadId}  endpoint ${d.endpointId}  ${d.lastError ?? ''}`).join('\n') || 'no unconfirmed deliveries', list);
        return;
      }
      const id = required(positionals[1], `deliveries ${action} needs a delivery id`);
      const delivery =
        action === 'replay' ? await relay.deliveries.replay(id)
        : action === 'send-again' || action === 'mark-delivered' ? await relay.deliveries.decide(id, action)
        : await relay.deliveries.get(id);
      const attempts = delivery.attempts.map((a) => `  ${a.attemptedAt.toISOString()}  ${a.statusCode ?? '-'}  ${a.latencyMs} ms${a.error ? `  ${a.error}` : ''}`);
      print([`${delivery.id}  ${delivery.event}  lead ${delivery.leadId}  endpoint ${delivery.endpointId}  ${delivery.status}`, ...attempts].join('\n'), delivery);
    });
  },

  async 'send-test'({ positionals, values, source, print }) {
    const id = required(positionals[0], 'send-test needs an endpoint id');
    const event = oneOf(values.event ?? 'lead_created', EVENT_NAMES, `--event must be one of ${EVENT_NAMES.join(', ')}`) as EventName;
    await withRelay(source, async (relay) => {
      const result = await relay.endpoints.sendTest(id, event);
      const outcome = result.delivered ? 'delivered' : `not delivered: ${result.error ?? 'unknown'}`;
      print(`${result.method} ${result.target} -> ${result.statusCode ?? 'no response'} in ${result.latencyMs} ms (${outcome})`, result);
      if (!result.delivered) throw new CliExit(EXIT.NOT_DELIVERED, `the tracker did not accept the test postback (${outcome})`);
    });
  },

  async plugin({ positionals, values, print }) {
    oneOf(positionals[0], ['init'], 'plugin needs init <name>');
    const created = await initPluginPackage({
      name: required(positionals[1], 'plugin init needs a plugin name, e.g. plugin init acme'),
      packageName: typeof values.package === 'string' ? values.package : undefined,
      dir: typeof values.dir === 'string' ? values.dir : undefined,
    });
    print(`created ${created.packageName} in ${created.dir}: ${created.files.join(', ')}\nnext: cd ${created.dir} && npm install && npm test`, created);
  },

  async 'portal-link'({ positionals, values, source, print }) {
    const affiliateId = required(positionals[0], 'portal-link needs an affiliate id');
    const ttl = values.ttl ?? '3600';
    if (typeof ttl !== 'string' || !/^\d{1,7}$/.test(ttl)) throw new CliExit(EXIT.USAGE, '--ttl must be a number of seconds');
    await withRelay(source, (relay, config) => {
      if (config.portal.publicUrl === '') throw new CliExit(EXIT.CONFIG, 'set POSTBACK_RELAY_PORTAL_PUBLIC_URL to the portal\'s public URL to make links');
      const url = relay.portal.link(affiliateId, { ttlSeconds: Number(ttl) });
      print(url, { url, affiliateId, expiresAt: new Date(Date.now() + Number(ttl) * 1000) });
      return Promise.resolve();
    });
  },

  async healthcheck({ source, print }) {
    // The same configuration the server reads (environment and config file), so the probe asks the port it listens on.
    const config = loadConfig(source);
    const host = ['', '0.0.0.0', '::'].includes(config.http.host) ? '127.0.0.1' : config.http.host;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${config.http.port}/readyz`;
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(HEALTHCHECK_TIMEOUT_MS) });
    } catch (error) {
      throw new CliExit(EXIT.FAILURE, `${url}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const body = await response.text();
    if (!response.ok) throw new CliExit(EXIT.FAILURE, `${url} answered ${response.status}: ${body}`);
    print(`${url} answered ${response.status}`, { url, status: response.status });
  },

  async drift({ positionals, values, source, print }) {
    const id = required(positionals[0], 'drift needs an endpoint id');
    const query = {
      clickId: typeof values.click === 'string' ? values.click : undefined,
      since: check(optional(timestamp), values.since, '--since'),
      until: check(optional(timestamp), values.until, '--until'),
      after: typeof values.after === 'string' ? values.after : undefined,
      limit: check(optional(pageLimit), values.limit, '--limit'),
    };
    await withRelay(source, async (relay) => {
      const report = await relay.endpoints.drift(id, query);
      print(describeDrift(report), report);
    });
  },

  config({ source, print }) {
    const masked = maskedConfig(source);
    print(`${JSON.stringify(masked, null, 2)}\nconfiguration is valid`, masked);
    return Promise.resolve();
  },
};

/** A relay on the configured database, not dispatching, closed afterwards. */
async function withRelay(source: ConfigSource, run: (relay: PostbackRelay, config: Readonly<RelayConfig>) => Promise<void>): Promise<void> {
  const config = loadConfig(source);
  // Loaded here, so help and usage errors answer without loading express, knex and the drivers.
  const [{ createPostbackRelay }, { relayOptionsFromConfig }] = await Promise.all([import('../relay.js'), import('../server/relay-options.js')]);
  // The CLI serves no HTTP: the key only satisfies the factory.
  const relay = createPostbackRelay(await relayOptionsFromConfig(config, { apiKeys: ['cli-no-http-api'] }));
  try {
    await run(relay, config);
  } finally {
    await relay.stop();
  }
}

const HEALTHCHECK_TIMEOUT_MS = 4_000;
const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'delivered', 'failed', 'skipped'];

// The filter of `deliveries list`: at least one of lead, click ID or affiliate, so support never lists the whole outbox.
function deliveryFilter(values: Values): DeliveryFilter {
  const text = (name: string) => (typeof values[name] === 'string' && values[name] !== '' ? values[name] : undefined);
  const filter = { leadId: text('lead'), clickId: text('click-id'), affiliateId: text('affiliate'), endpointId: text('endpoint') };
  if (filter.leadId === undefined && filter.clickId === undefined && filter.affiliateId === undefined) {
    throw new CliExit(EXIT.USAGE, 'deliveries list needs --lead <lead-id>, --click-id <click-id> or --affiliate <affiliate-id>');
  }
  const status = text('status');
  if (status !== undefined && !(DELIVERY_STATUSES as readonly string[]).includes(status)) throw new CliExit(EXIT.USAGE, `--status must be one of ${DELIVERY_STATUSES.join(', ')}`);
  return { ...filter, ...(status === undefined ? {} : { status: status as DeliveryStatus }) };
}

// The service validates every field; this only maps flags onto the endpoint's shape.
function endpointInput(values: Values): EndpointInput {
  // The same rules as the API's bodies: a duplicate key or an inexact number is refused, not silently read.
  const settings: unknown = typeof values.settings === 'string' ? parseJsonObject(values.settings, 'settings') : values.url === undefined ? undefined : { url: values.url };
  if (settings === undefined) throw new CliExit(EXIT.USAGE, 'endpoints add needs --url <template> or --settings <json>');
  return {
    affiliateId: required(values.affiliate, 'endpoints add needs --affiliate <id>'),
    plugin: values.plugin ?? 'generic',
    settings,
    ...(values.offer === undefined ? {} : { offerId: values.offer }),
    ...(values.name === undefined ? {} : { name: values.name }),
    ...(typeof values.events === 'string' ? { events: values.events.split(',').map((event) => event.trim()) } : {}),
    ...(values['adjustment-mode'] === undefined ? {} : { adjustmentMode: values['adjustment-mode'] }),
  } as EndpointInput;
}

function describeEndpoint(endpoint: { id: string; affiliateId: string; offerId: string | null; plugin: string; enabled: boolean; events: readonly string[] }): string {
  return `${endpoint.id}  affiliate ${endpoint.affiliateId}${endpoint.offerId ? ` offer ${endpoint.offerId}` : ''}  ${endpoint.plugin}  ${endpoint.enabled ? 'enabled' : 'disabled'}  ${endpoint.events.join(',')}`;
}

function required(value: string | boolean | undefined, message: string): string {
  if (typeof value !== 'string' || value === '') throw new CliExit(EXIT.USAGE, message);
  return value;
}

function oneOf(value: string | boolean | undefined, allowed: readonly string[], message: string): string {
  if (typeof value !== 'string' || !allowed.includes(value)) throw new CliExit(EXIT.USAGE, message);
  return value;
}
