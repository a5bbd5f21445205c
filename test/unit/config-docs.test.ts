// The settings table in docs/configuration.md is regenerated from the settings list and must match it.

import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { configSettings, configTable, withConfigTable } from '../../lib/config/docs.js';

const DOC = new URL('../../docs/configuration.md', import.meta.url);

describe('configuration docs', () => {
  it('docs/configuration.md holds the table generated from the schema (run `npm run docs:config` after changing it)', () => {
    const document = readFileSync(DOC, 'utf8');
    expect(withConfigTable(document)).to.equal(document);
  });

  it('lists every setting with its variable and default, and marks secrets', () => {
    const settings = configSettings();
    const table = configTable(settings);
    expect(settings.map((s) => s.env)).to.include.members(['DATABASE_URL', 'PORT', 'POSTBACK_RELAY_API_KEYS', 'POSTBACK_RELAY_LOG_LEVEL']);
    for (const setting of settings) expect(table).to.include(`| \`${setting.env}\` | \`${setting.key}\` |`);
    expect(table.split('\n')).to.have.length(settings.length + 2);
    expect(table).to.match(/`DATABASE_URL`.*Secret/);
    expect(table).to.include('| `PORT` | `http.port` | — | `3000` |');
    expect(table).to.include('| `POSTBACK_RELAY_IDLE_POLL_MS` | `dispatch.idlePollMs` | `dispatch.idlePollMs` | `1000` |');
    expect(table).to.include('&lt;key&gt;');
  });

  it('notices a table that drifted from the schema', () => {
    const document = readFileSync(DOC, 'utf8');
    const drifted = document.replace('| `PORT` | `http.port` | — | `3000` |', '| `PORT` | `http.port` | — | `8080` |');
    expect(drifted).to.not.equal(document);
    expect(withConfigTable(drifted)).to.not.equal(drifted);
    expect(withConfigTable(drifted)).to.equal(document);
    expect(() => withConfigTable('no markers')).to.throw(/markers/);
  });
});
