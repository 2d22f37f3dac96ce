// mocha root hooks: the cluster and Postgres start lazily on first use (see
// harness.ts) and are cleaned up once, after the whole run.
import { teardownHarness } from './harness.ts';

export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(120_000);
    await teardownHarness();
  },
};
