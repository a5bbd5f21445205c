// postback-relay/testing: what a plugin author's own tests use to check a plugin the way ours are checked.

// The conformance suite, declared with any runner's describe/it (node:test, mocha, ...) or as plain checks.
export { conformanceChecks, describeConformance, HOSTILE_CLICK_IDS } from './conformance.js';
export type { ConformanceCheck, ConformanceFixture, TestRunner } from './conformance.js';
// Event sequences as the core hands them to a plugin, for golden tests.
export { eventScenario } from './scenario.js';
export type { ScenarioStep } from './scenario.js';
// The core's own formatting step (adjustment family, skips), to test a plugin exactly as deliveries run it.
export { formatDelivery } from '../dispatch/format.js';
export type { DeliveryFacts } from '../dispatch/context.js';
