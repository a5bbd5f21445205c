// One route's contract: its method, path, input schemas, answers and examples. The router mounts its handlers from
// these declarations and the OpenAPI document is generated from the same ones, so a route cannot be served undocumented.

import type { RequestHandler, Router } from 'express';
import type { z } from 'zod';

/** One documented answer of a route. */
export interface ResponseContract {
  description: string;
  /** The JSON body's schema; none for an empty answer or a non-JSON one (then `contentType` says what it is). */
  schema?: z.ZodType;
  /** @default 'application/json' when `schema` is set */
  contentType?: string;
  /** A sample answer, checked against `schema` by the contract test. */
  example?: unknown;
  /** Response headers worth documenting, name to description. */
  headers?: Readonly<Record<string, string>>;
}

/** A route of the HTTP API. `path` is Express-style, from the router's mount point (`/endpoints/:id`). */
export interface RouteContract {
  /** Unique, stable: the name a generated client gives the call, and the key of its handler. */
  operationId: string;
  method: 'get' | 'post' | 'patch' | 'options';
  path: string;
  /** The group in the document: `events`, `endpoints`, `deliveries`, `pixel`, `meta`. */
  tag: string;
  summary: string;
  description?: string;
  /** Who may call it: an API key scope, or `public` (the pixel, the document itself). */
  access: 'events' | 'admin' | 'public';
  /** The path parameters' schema, keyed by name. */
  params?: z.ZodObject;
  /** The query string's schema. */
  query?: z.ZodObject;
  /** The JSON body's schema and a sample body (checked against it by the contract test). */
  body?: { schema: z.ZodType; example: unknown; contentType?: string };
  /** Answers by status; errors are added from `errors`. */
  responses: Readonly<Record<number, ResponseContract>>;
  /** The 4xx/5xx statuses this route can answer (each with the `{error:{code,message,field}}` body). */
  errors: readonly number[];
}

/** The handler (or handlers, run in order) of each route of `contracts`, keyed by operationId. */
export type Handlers<C extends readonly RouteContract[]> = { readonly [K in C[number]['operationId']]: RequestHandler | readonly RequestHandler[] };

/**
 * Registers each contract's handlers on `router`. `prefix` is where `router` is mounted within the relay's router
 * (`/endpoints`), cut from each path; `guard` runs before every handler.
 */
export function mountRoutes<C extends readonly RouteContract[]>(router: Router, contracts: C, handlers: Handlers<C>, options: { prefix?: string; guard?: RequestHandler } = {}): void {
  const prefix = options.prefix ?? '';
  for (const contract of contracts) {
    if (!contract.path.startsWith(prefix)) throw new TypeError(`route ${contract.operationId}: ${contract.path} is not under ${prefix}`);
    const path = contract.path.slice(prefix.length) || '/';
    const own: RequestHandler | readonly RequestHandler[] = handlers[contract.operationId as C[number]['operationId']];
    const chain: RequestHandler[] = [...(options.guard ? [options.guard] : []), ...(isList(own) ? own : [own])];
    router[contract.method](path, ...chain);
  }
}

function isList(handler: RequestHandler | readonly RequestHandler[]): handler is readonly RequestHandler[] {
  return Array.isArray(handler);
}
