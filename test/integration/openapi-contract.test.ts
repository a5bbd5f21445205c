// The OpenAPI document against what the routers really do: every route served is documented (and no more), every
// example in it and in the README and docs/ validates against it, and the answers real requests get match it.

import { readdirSync, readFileSync } from 'node:fs';
import { expect } from 'chai';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { Router } from 'express';
import request from 'supertest';
import type { Response } from 'supertest';
import { buildOpenApiDocument } from '../../lib/http/openapi.js';
import { createPluginRegistry } from '../../lib/plugins/registry.js';
import { builtinPlugins } from '../../plugins/builtin.js';
import { VERSION } from '../../lib/version.js';
import { sqliteTarget } from '../helpers/databases.js';
import { auth, startRelay } from '../helpers/relay.js';
import type { RelayFixture } from '../helpers/relay.js';
import { startTestTracker } from '../helpers/tracker.js';
import type { TestTracker } from '../helpers/tracker.js';

type Json = Record<string, unknown>;
interface Operation {
  operationId: string;
  parameters?: Array<{ name: string; in: string; required: boolean; schema: Json }>;
  requestBody?: { content: Record<string, { schema: Json; example?: unknown }> };
  responses: Record<string, { content?: Record<string, { schema: Json; example?: unknown }> }>;
}
type Doc = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Json> } };

// The relay under test registers the built-in plugins only, as the committed document does.
const plugins = createPluginRegistry(builtinPlugins());
const doc = buildOpenApiDocument(VERSION, { plugins }) as unknown as Doc;
// ajv-formats is CommonJS: its default export arrives wrapped under ESM.
const addFormats = (addFormatsModule as unknown as { default: (instance: Ajv2020) => unknown }).default;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
const compiled = new Map<Json, ValidateFunction>();

/** Resolves the document's `$ref`s (only to its components) so each schema compiles on its own. */
function resolved(schema: Json): Json {
  const ref = schema.$ref;
  if (typeof ref === 'string') return doc.components.schemas[ref.replace('#/components/schemas/', '')] ?? {};
  return schema;
}
function validate(schema: Json, value: unknown, where: string): void {
  let check = compiled.get(schema);
  if (!check) {
    check = ajv.compile(resolved(schema));
    compiled.set(schema, check);
  }
  expect(check(value), `${where}: ${ajv.errorsText(check.errors)}\n${JSON.stringify(value).slice(0, 400)}`).to.equal(true);
}

/** The documented operation serving `method path` (a concrete path such as `/endpoints/7`). */
function operationFor(method: string, path: string): { template: string; operation: Operation } {
  for (const [template, operations] of Object.entries(doc.paths)) {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+').replace(/\./g, '\\.')}$`);
    const operation = operations[method.toLowerCase()];
    if (pattern.test(path) && operation) return { template, operation };
  }
  throw new Error(`${method} ${path} is not in the OpenAPI document`);
}

/** Every `method path` a router serves, walking nested routers (what Express will answer). */
function servedRoutes(router: Router, prefix = ''): string[] {
  const routes: string[] = [];
  for (const layer of (router as unknown as { stack: Array<Json> }).stack) {
    const route = layer.route as { path: string; methods: Record<string, boolean> } | undefined;
    if (route) {
      for (const method of Object.keys(route.methods)) routes.push(`${method} ${prefix}${route.path === '/' ? '' : route.path}`);
    } else if (typeof layer.handle === 'function' && Array.isArray((layer.handle as unknown as { stack?: unknown }).stack)) {
      routes.push(...servedRoutes(layer.handle as unknown as Router, `${prefix}${typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : ''}`));
    }
  }
  return routes;
}

describe('OpenAPI contract', () => {
  let fx: RelayFixture;
  let tracker: TestTracker;
  before(async () => {
    tracker = await startTestTracker();
    fx = await startRelay(sqliteTarget, { relay: { rateLimit: false, dispatch: { idlePollMs: 20, retrySchedule: [] } } });
  });
  after(async () => {
    await fx.close();
    await tracker.close();
  });

  it('is served by the router, and docs/openapi.json is the current build (else run `npm run docs:openapi`)', async () => {
    const res = await request(fx.app).get('/postbacks/openapi.json');
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal(doc);
    expect(res.body.openapi).to.equal('3.1.0');
    const committed = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8')) as Json;
    expect(committed, 'docs/openapi.json is stale: run `npm run docs:openapi`').to.deep.equal(JSON.parse(JSON.stringify(buildOpenApiDocument((committed.info as Json).version as string, { plugins }))));
  });

  it('documents every route the relay and pixel routers serve, and no route they do not', () => {
    const served = [...servedRoutes(fx.relay.router), ...servedRoutes(fx.relay.pixel)].map((route) => route.replace(/:([A-Za-z0-9_]+)/g, '{$1}'));
    const documented = Object.entries(doc.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method} ${path}`));
    expect(served.length).to.be.greaterThan(15);
    expect([...new Set(served)].sort()).to.deep.equal([...documented].sort());
  });

  it('compiles every schema in it, and every example in it validates against its schema', () => {
    let examples = 0;
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const [type, media] of Object.entries(operation.requestBody?.content ?? {})) {
          validate(media.schema, media.example, `${method} ${path} body ${type}`);
          examples += 1;
        }
        for (const [status, response] of Object.entries(operation.responses)) {
          for (const media of Object.values(response.content ?? {})) {
            ajv.compile(resolved(media.schema));
            if (media.example === undefined) continue;
            validate(media.schema, media.example, `${method} ${path} ${status} example`);
            examples += 1;
          }
        }
        for (const parameter of operation.parameters ?? []) ajv.compile(parameter.schema);
      }
    }
    expect(examples).to.be.greaterThan(20);
  });

  it('validates every request example in the README and docs/ (curl commands, endpoint bodies)', () => {
    const files = ['README.md', ...readdirSync(new URL('../../docs/', import.meta.url)).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];
    let checked = 0;
    for (const file of files) {
      const text = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
      // One curl command, its continuation lines joined: the method, the relay URL and the body.
      for (const command of text.replace(/\\\n\s*/g, ' ').matchAll(/^curl .*?(?=\n(?!\s*["'}\]])|$)/gms)) {
        const line = command[0];
        const target = /\$(?:API|BASE)(\/[^\s"']*)/.exec(line)?.[1];
        if (target === undefined) continue;
        const method = /-X\s+(\w+)/.exec(line)?.[1] ?? 'GET';
        const [path = '', query = ''] = target.split('?');
        const { template, operation } = operationFor(method, path);
        const where = `${file}: ${method} ${target}`;
        const data = /-d\s+'([^']*)'/s.exec(line)?.[1];
        if (data !== undefined) {
          const schema = operation.requestBody?.content['application/json']?.schema;
          if (schema) validate(schema, JSON.parse(data), where);
          else expect(JSON.parse(data), `${where}: a route without a body`).to.deep.equal({});
        }
        for (const [name, value] of new URLSearchParams(query)) {
          const parameter = operation.parameters?.find((entry) => entry.name === name && entry.in === 'query');
          expect(parameter, `${where}: ${name} is not a documented parameter of ${template}`).to.not.equal(undefined);
          validate(parameter?.schema ?? {}, value, `${where}: ${name}`);
        }
        checked += 1;
      }
      // Endpoint bodies shown on their own: whole (a create) or a few fields (what a PATCH would send).
      const endpointBody = operationFor('POST', '/endpoints').operation.requestBody?.content['application/json']?.schema ?? {};
      const endpointPatch = operationFor('PATCH', '/endpoints/1').operation.requestBody?.content['application/json']?.schema ?? {};
      for (const block of text.matchAll(/```json\n([\s\S]*?)```/g)) {
        const value = JSON.parse(block[1] ?? 'null') as unknown;
        if (typeof value !== 'object' || value === null || !('plugin' in value) || !('settings' in value)) continue;
        validate('affiliateId' in value ? endpointBody : endpointPatch, value, `${file}: endpoint ${JSON.stringify(value).slice(0, 60)}`);
        // Its settings against the plugin's own described settings.
        const settings = doc.components.schemas[`Settings_${String((value as { plugin: unknown }).plugin)}`];
        expect(settings, `${file}: plugin ${String((value as { plugin: unknown }).plugin)} is described`).to.not.equal(undefined);
        validate(settings ?? {}, (value as { settings: unknown }).settings, `${file}: settings of ${JSON.stringify(value).slice(0, 60)}`);
        checked += 1;
      }
    }
    expect(checked).to.be.greaterThan(8);
  });

  it('matches the answers real requests get (successes and errors) to their documented schemas', async () => {
    const answers: Array<[string, string, Response]> = [];
    const call = async (method: 'get' | 'post' | 'patch', path: string, body?: unknown): Promise<Response> => {
      let req = request(fx.app)[method](`/postbacks${path}`).set(auth);
      if (body !== undefined) req = req.send(body as object);
      const res = await req;
      answers.push([method, path.split('?')[0] ?? path, res]);
      return res;
    };
    const endpoint = await call('post', '/endpoints', { affiliateId: 'aff-c', name: 'contract', plugin: 'generic', settings: { url: `${tracker.origin}/pb?cid={click_id}&sum={payout}` } });
    const id = endpoint.body.data.id as string;
    await call('get', '/endpoints?affiliateId=aff-c');
    await call('get', `/endpoints/${id}`);
    await call('patch', `/endpoints/${id}`, { offerId: null, events: ['lead_created', 'commission_earned', 'commission_adjusted'] });
    await call('post', '/events/leads', { id: 'L-c', clickId: 'c-c', affiliateId: 'aff-c', offerId: 'o-1', sub1: 's', occurredAt: '2026-12-01T10:00:00+02:00' });
    await call('post', '/events/leads', { id: 'L-c', clickId: 'c-c', affiliateId: 'aff-c', offerId: 'o-1', sub1: 's', occurredAt: '2026-12-01T10:00:00+02:00' });
    await call('post', '/events/commissions', { id: 'C-c', leadId: 'L-c', amount: '12.50', currency: 'EUR' });
    await call('post', '/events/adjustments', { id: 'A-c', commissionId: 'C-c', delta: '-2.5', reason: 'refund' });
    await fx.settled();
    const list = await call('get', '/deliveries?leadId=L-c&limit=10');
    expect(list.body.data).to.have.length(3);
    await call('get', `/deliveries/${list.body.data[0].id as string}`);
    await call('post', `/deliveries/${list.body.data[0].id as string}/replay`);
    await call('post', '/deliveries/replay-failed', { endpointId: id });
    await call('post', '/deliveries/test', { endpointId: id });
    await call('get', '/deliveries/stats');
    const drift = await call('get', `/endpoints/${id}/drift?limit=10`);
    expect(drift.status).to.equal(200);
    expect(drift.body.data.totals.clicks).to.equal(1);
    // Generic dedupes by transaction id, so nothing here is unconfirmed: both decisions answer 409.
    expect((await call('post', `/deliveries/${list.body.data[1].id as string}/send-again`)).status).to.equal(409);
    expect((await call('post', `/deliveries/${list.body.data[1].id as string}/mark-delivered`)).status).to.equal(409);
    // Errors: each status the API answers, in the one documented shape.
    await call('post', '/events/commissions', { id: 'C-x', leadId: 'L-none', amount: '1' });
    await call('post', '/events/leads', { id: 'L-c', clickId: 'other', affiliateId: 'aff-c' });
    await call('post', '/events/leads', { id: 'L-x', clickId: 'c', affiliateId: 'aff-c', occurredAt: '2026-02-30T00:00:00Z' });
    await call('get', '/endpoints/999999');
    await call('get', '/deliveries?limit=0');
    const unauthenticated = await request(fx.app).post('/postbacks/events/leads').send({});
    answers.push(['post', '/events/leads', unauthenticated]);
    const statuses = new Set<number>();
    for (const [method, path, res] of answers) {
      const { template, operation } = operationFor(method, path);
      const response = operation.responses[String(res.status)];
      expect(response, `${method} ${path} answered ${res.status}, which ${template} does not document`).to.not.equal(undefined);
      const schema = response?.content?.['application/json']?.schema;
      expect(schema, `${method} ${path} ${res.status} has a JSON schema`).to.not.equal(undefined);
      validate(schema ?? {}, res.body, `${method} ${path} ${res.status}`);
      statuses.add(res.status);
    }
    expect([...statuses]).to.include.members([200, 201, 202, 400, 401, 404, 409, 422]);
  });
});
