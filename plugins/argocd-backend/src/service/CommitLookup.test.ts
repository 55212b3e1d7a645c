import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { CommitInfo } from '@paved/plugin-argocd-common';
import { CommitStore } from '../database/CommitStore';
import { COMMIT_STORE_UNAVAILABLE, CommitLookup } from './CommitLookup';

const sha1 = '1111111111111111111111111111111111111111';
const sha2 = '2222222222222222222222222222222222222222';
const repoURL = 'https://github.com/acme/cart.git';

const stored: CommitInfo = {
  sha: sha1,
  message: 'Deploy cart',
  author: { name: 'Carol' },
  url: `https://github.com/acme/cart/commit/${sha1}`,
};

describe('CommitLookup when its database fails', () => {
  function lookupWith(store: CommitStore) {
    const logger = mockServices.logger.mock();
    const credentialsProvider = { getCredentials: jest.fn() };
    const lookup = new CommitLookup({
      integrations: ScmIntegrations.fromConfig(
        new ConfigReader({
          integrations: { github: [{ host: 'github.com', token: 't' }] },
        }),
      ),
      credentialsProvider,
      store,
      logger,
    });
    return { lookup, logger, credentialsProvider };
  }

  it('reports an unreadable store as each entry’s error, logs it once, and says when it recovers', async () => {
    let down = true;
    const { lookup, logger, credentialsProvider } = lookupWith({
      async getCommits() {
        if (down) {
          throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        }
        return new Map([[sha1, stored]]);
      },
      async saveCommit() {},
    });

    for (let request = 0; request < 3; request++) {
      const results = await lookup.lookup(repoURL, [sha1, sha2]);
      expect(results).toEqual(
        new Map([
          [sha1, { error: COMMIT_STORE_UNAVAILABLE }],
          [sha2, { error: COMMIT_STORE_UNAVAILABLE }],
        ]),
      );
    }
    // An outage is one log line, not one per request, and GitHub is not asked meanwhile.
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringContaining('commit store failed'),
      expect.objectContaining({
        operation: 'read',
        error: expect.stringContaining('ECONNREFUSED'),
      }),
    );
    expect(credentialsProvider.getCredentials).not.toHaveBeenCalled();

    down = false;
    const results = await lookup.lookup(repoURL, [sha1]);
    expect(results.get(sha1)).toEqual({ commit: stored });
    expect(logger.info).toHaveBeenCalledWith(
      'Argo CD commit store answers again',
    );
  });
});
