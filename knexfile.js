// The knex CLI's entry (after `npm run build`): `npx knex migrate:latest` migrates the database the environment names.
import { knexConfigForUrl, loadConfig, migrationConfig } from './dist/lib/server/index.js';

const config = loadConfig({ env: process.env });

export default { ...knexConfigForUrl(config.database.url), migrations: migrationConfig(config.database.tablePrefix) };
