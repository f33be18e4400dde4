import type { FakeApiServer } from './fake-api-server.js';
import type { SeenRequest } from './recorded-shapes.js';

/**
 * The fake, with its stop adding every request it saw to `into`: a test file checks all its
 * suites' requests against the recordings at the end.
 */
export function keepingSeen<F extends { server: FakeApiServer; stop: () => Promise<void> }>(into: SeenRequest[], fake: F): F {
  return { ...fake, stop: async () => { into.push(...fake.server.seen); await fake.stop(); } };
}
