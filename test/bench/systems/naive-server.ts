// The naive comparison: what a quick implementation does. Express and knex on the same MariaDB, one transaction per
// request storing the lead and one outbox row (InnoDB defaults, so as durable as the relay), then 201.

import type { AddressInfo } from 'node:net';
import express from 'express';
import knexFactory from 'knex';
import { knexConfigForUrl } from '../../../lib/store/database.js';
import { announce, childConfig, exitOnSignal } from './child.js';

interface NaiveConfig {
  database: string;
  tablePrefix: string;
  path: string;
}

const config = childConfig() as NaiveConfig;
// The relay's own connection settings (pool of 10, UTC, strict mode), so only the handler differs.
const knex = knexFactory(knexConfigForUrl(config.database));
const leads = `${config.tablePrefix}naive_leads`;
const outbox = `${config.tablePrefix}naive_outbox`;
await knex.schema.createTable(leads, (table) => {
  table.bigIncrements('pk');
  table.string('external_id', 255).notNullable().unique();
  table.string('click_id', 255).notNullable();
  table.string('affiliate_id', 255).notNullable();
  table.string('offer_id', 255);
  for (const sub of ['sub1', 'sub2', 'sub3', 'sub4', 'sub5']) table.string(sub, 255);
  table.datetime('occurred_at', { precision: 3 }).notNullable();
  table.datetime('recorded_at', { precision: 3 }).notNullable();
});
await knex.schema.createTable(outbox, (table) => {
  table.bigIncrements('pk');
  table.bigInteger('lead_pk').unsigned().notNullable().references('pk').inTable(leads);
  table.string('status', 16).notNullable();
  table.datetime('next_attempt_at', { precision: 3 }).notNullable();
  table.index(['status', 'next_attempt_at']);
});

const app = express();
app.disable('x-powered-by');
app.use(express.json());
const text = (value: unknown) => (typeof value === 'string' && value !== '' && value.length <= 255 ? value : undefined);
app.post(config.path, async function createLead(req, res) {
  const body = req.body as Record<string, unknown> | undefined;
  const id = text(body?.id);
  const clickId = text(body?.clickId);
  const affiliateId = text(body?.affiliateId);
  if (!id || !clickId || !affiliateId) {
    res.status(400).json({ error: { code: 'invalid', message: 'id, clickId and affiliateId are required' } });
    return;
  }
  const now = new Date();
  try {
    await knex.transaction(async (trx) => {
      const [pk] = await trx(leads).insert({
        external_id: id,
        click_id: clickId,
        affiliate_id: affiliateId,
        offer_id: text(body?.offerId) ?? null,
        sub1: text(body?.sub1) ?? null,
        sub2: text(body?.sub2) ?? null,
        sub3: text(body?.sub3) ?? null,
        occurred_at: now,
        recorded_at: now,
      });
      await trx(outbox).insert({ lead_pk: pk, status: 'pending', next_attempt_at: now });
    });
    res.status(201).json({ data: { id } });
  } catch (error) {
    res.status(500).json({ error: { code: 'internal', message: String(error) } });
  }
});
const server = app.listen(0, '127.0.0.1', () => {
  announce({ port: (server.address() as AddressInfo).port });
});
exitOnSignal(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await knex.destroy();
});
