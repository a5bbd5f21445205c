// The OpenAPI 3.1 document of the HTTP API, generated from the routes' contracts (never written by hand).

import { z } from 'zod';
import { API_ROUTES } from '../contract/index.js';
import { errorAnswer } from '../contract/answers.js';
import type { ResponseContract, RouteContract } from '../contract/route.js';
import type { PluginRegistry } from '../plugins/registry.js';

type JsonSchema = Record<string, unknown>;

const ERROR_STATUSES: Readonly<Record<number, string>> = {
  400: 'The input broke a rule (`ERR_PB_VALIDATION`, `field` names it) or the body could not be read (`ERR_PB_MALFORMED_BODY`). Nothing was stored.',
  401: 'No API key, an unknown one, or a bad request signature',
  403: "The API key lacks the route's scope",
  404: 'No such resource (or route)',
  409: 'The id was recorded before with a different body',
  413: 'The body is over the limit',
  415: 'The body is not `application/json` (or uses an encoding or charset the relay does not read)',
  422: 'The event names a lead or commission that was never recorded, or would take a commission below zero',
  429: 'Too many requests from this address; `Retry-After` says when to try again',
  500: 'Something unexpected (logged); retry with the same id',
  503: 'The database is unavailable; nothing was stored, retry later with the same id',
};

/**
 * The document for a relay of `version`; paths are relative to where the host mounts the routers. With `plugins`,
 * each registered plugin's settings are described too (`components.schemas.Settings_<plugin>`).
 */
export function buildOpenApiDocument(version: string, options: { plugins?: PluginRegistry; routes?: readonly RouteContract[] } = {}): JsonSchema {
  const routes = options.routes ?? API_ROUTES;
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    (paths[path] ??= {})[route.method] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'postback-relay',
      version,
      description:
        'Server-to-server postbacks to affiliate trackers. Paths are relative to where the host mounts the relay (e.g. `/postbacks`). ' +
        'Every error answers `{"error": {"code", "message", "field"}}`; the codes are listed in docs/errors.md. ' +
        'JSON bodies are UTF-8, without duplicate keys, at most 16 levels deep, and with no number written with an exponent or more than 15 significant digits.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    tags: [
      { name: 'events', description: 'The three inbound events (API keys with the `events` scope)' },
      { name: 'endpoints', description: "Affiliates' postback endpoints (`admin` scope)" },
      { name: 'deliveries', description: 'The delivery log and the outbox (`admin` scope)' },
      { name: 'pixel', description: 'The public form-fill pixel (`relay.pixel`, no authentication; it can only create leads)' },
      { name: 'meta', description: 'This document' },
    ],
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'A configured API key; `key:events` or `key:admin` narrows its scope. With signing on, also `X-Postback-Timestamp` and `X-Postback-Signature` (docs/security.md).' },
      },
      schemas: { Error: jsonSchema(errorAnswer, 'output'), ...(options.plugins ? settingsSchemas(options.plugins) : {}) },
    },
    paths,
  };
}

/** Each plugin's settings, from its declared `settingsSchema` (the plugin's `parseSettings` is what checks them). */
function settingsSchemas(plugins: PluginRegistry): Record<string, JsonSchema> {
  return Object.fromEntries(
    plugins.names().map((name) => {
      const plugin = plugins.get(name);
      const description = `The settings of an endpoint whose plugin is "${name}"${plugin.description ? `: ${plugin.description}` : ''}. The plugin checks them when the endpoint is saved (docs/plugins.md).`;
      if (!plugin.settingsSchema) return [`Settings_${name}`, { type: 'object', description }];
      const entries = Object.entries(plugin.settingsSchema);
      const properties = Object.fromEntries(
        entries.map(([key, spec]) => [key, { type: 'string', description: spec.doc, ...(spec.default === undefined ? {} : { default: spec.default }), ...(spec.oneOf ? { enum: [...spec.oneOf] } : {}) }]),
      );
      const required = entries.filter(([, spec]) => spec.default === undefined).map(([key]) => key);
      return [`Settings_${name}`, { type: 'object', description, properties, ...(required.length > 0 ? { required } : {}) }];
    }),
  );
}

function operation(route: RouteContract): Record<string, unknown> {
  const parameters = [...parametersOf(route.params, 'path'), ...parametersOf(route.query, 'query')];
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(route.responses)) responses[status] = responseObject(response);
  for (const status of route.errors) {
    responses[String(status)] ??= { description: ERROR_STATUSES[status] ?? 'An error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  }
  return {
    operationId: route.operationId,
    tags: [route.tag],
    summary: route.summary,
    ...(route.description === undefined ? {} : { description: route.description }),
    security: route.access === 'public' ? [] : [{ apiKey: [] }],
    ...(route.access === 'public' ? {} : { 'x-scope': route.access }),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body
      ? { requestBody: { required: true, content: { [route.body.contentType ?? 'application/json']: { schema: jsonSchema(route.body.schema, 'input'), example: route.body.example } } } }
      : {}),
    responses,
  };
}

function responseObject(response: ResponseContract): Record<string, unknown> {
  const headers = response.headers && Object.fromEntries(Object.entries(response.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }]));
  const content = response.schema
    ? { [response.contentType ?? 'application/json']: { schema: jsonSchema(response.schema, 'output'), ...(response.example === undefined ? {} : { example: response.example }) } }
    : response.contentType
      ? { [response.contentType]: { schema: { type: 'string' } } }
      : undefined;
  return { description: response.description, ...(headers ? { headers } : {}), ...(content ? { content } : {}) };
}

function parametersOf(schema: z.ZodObject | undefined, where: 'path' | 'query'): unknown[] {
  if (!schema) return [];
  const object = jsonSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(object.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return { name, in: where, required: where === 'path' || (object.required ?? []).includes(name), ...(description === undefined ? {} : { description }), schema: rest };
  });
}

/** A zod schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect): what a body may be (`input`) or what an answer is (`output`). */
export function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  // The document declares the dialect once; a `$schema` in every schema would only repeat it.
  return Object.fromEntries(Object.entries(z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' })).filter(([key]) => key !== '$schema'));
}
