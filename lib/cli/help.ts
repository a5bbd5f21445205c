// The CLI's help texts, one per command, shown by `--help` and after a usage error.

export const MAIN_HELP = `Usage: postback-relay <command> [options]

Commands:
  serve                         run the server (migrates first unless POSTBACK_RELAY_MIGRATE=false)
  migrate up|status|down        apply pending migrations, list them, or roll the last one back
  endpoints add|list|disable    manage affiliates' postback endpoints
  deliveries list|show|replay|replay-failed|unconfirmed|send-again|mark-delivered
                                the delivery log; replay one, or an endpoint's dead letters;
                                decide on postbacks held as unconfirmed
  drift <endpoint-id>           what the endpoint's tracker should show per click beside the truth
  send-test <endpoint-id>       send one sample postback to an endpoint now (records nothing)
  portal-link <affiliate-id>    print a signed, expiring link into the affiliate portal
  config                        print the resolved configuration (secrets masked) and validate it
  plugin init <name>            write a new tracker plugin package, ready to build, test and publish
  healthcheck                   exit 0 when the server this configuration describes answers /readyz with 200

Options for every command:
  --config <file>   a JSON config file (or POSTBACK_RELAY_CONFIG_FILE); environment variables win over it
  --json            machine-readable output on stdout
  -h, --help        help for the command

Settings come from environment variables (see docs/configuration.md).
Exit codes: 0 ok, 1 failure, 2 usage or refused input, 3 invalid configuration, 4 not found, 5 not delivered.
`;

export const COMMAND_HELP: Readonly<Record<string, string>> = {
  serve: `Usage: postback-relay serve

Runs the HTTP server: the API under POSTBACK_RELAY_MOUNT_PATH, /healthz, /readyz and /metrics.
Stops cleanly on SIGTERM or SIGINT.
`,
  migrate: `Usage: postback-relay migrate <up|status|down> [--json]

  up       apply every pending migration
  status   list applied and pending migrations
  down     roll back the most recent migration (one)
`,
  endpoints: `Usage: postback-relay endpoints <add|list|disable> [options] [--json]

  add --affiliate <id> --url <template> [--plugin generic] [--offer <id>] [--name <label>]
      [--events lead_created,commission_earned,commission_adjusted] [--settings <json>]
      [--adjustment-mode replace|delta|status|skip|correction]
      --url sets settings.url; --settings gives the plugin's whole settings object instead
  list [--affiliate <id>]
  disable <endpoint-id>
`,
  deliveries: `Usage: postback-relay deliveries <list|show|replay|replay-failed> [options] [--json]

  list [--lead <lead-id>] [--click-id <click-id>] [--affiliate <affiliate-id>] [--endpoint <id>] [--status <status>]
                                       deliveries matching every filter given (at least one of the first three)
  show <delivery-id>                   one delivery and its attempts
  replay <delivery-id>                 send it again, from a fresh round of the retry schedule
  replay-failed --endpoint <id>        replay every dead letter of an endpoint
  unconfirmed [--endpoint <id>]        postbacks that may have reached a tracker that cannot dedupe
  send-again <delivery-id>             an unconfirmed postback the tracker does not have: send it once more
  mark-delivered <delivery-id>         an unconfirmed postback the tracker has: close it as delivered
`,
  drift: `Usage: postback-relay drift <endpoint-id> [--click <id>] [--since <iso>] [--until <iso>] [--after <click-id>] [--limit <1-500>] [--json]

Per click of the endpoint: the platform's truth, what the tracker should show given what was sent, skipped
and how it keeps its books, and the difference with its reasons. Totals cover every click with a delivery
queued in [since, until); the clicks that differ are listed in click ID order, --limit at a time (100).
`,
  'send-test': `Usage: postback-relay send-test <endpoint-id> [--event lead_created|commission_earned|commission_adjusted] [--json]

Formats a sample event with the endpoint's plugin and settings and sends it once, through the same
HTTP client as real postbacks. Nothing is stored. Exits 5 when the tracker does not answer 2xx.
`,
  'portal-link': `Usage: postback-relay portal-link <affiliate-id> [--ttl <seconds>] [--json]

Prints a signed URL that opens the affiliate portal as that affiliate, for --ttl seconds (default 3600,
at most 30 days). Needs POSTBACK_RELAY_PORTAL_LINK_SECRETS and POSTBACK_RELAY_PORTAL_PUBLIC_URL.
`,
  healthcheck: `Usage: postback-relay healthcheck [--json]

Asks the server on this machine for GET /readyz, at the port and address the configuration (environment and
--config file) gives it, and exits 0 on 200, 1 otherwise. The image's HEALTHCHECK runs it.
`,
  config: `Usage: postback-relay config [--json]

Prints the configuration resolved from the environment (and --config file) with secrets masked,
after validating it. Exits 3, naming the key and its variable, when it is invalid.
`,
  plugin: `Usage: postback-relay plugin init <name> [--package <npm name>] [--dir <folder>] [--json]

Writes a formatter plugin package for the tracker <name> (the name endpoints use, e.g. acme) into
<folder> (default: the package name, postback-relay-plugin-<name>): package.json (ESM, postback-relay
as a peer dependency), index.ts on defineQueryPlugin with a settings schema, a node:test file running the
conformance suite and golden requests, and a README. Then: cd <folder> && npm install && npm test.
Refuses a folder that is not empty. See docs/plugins.md.
`,
};
