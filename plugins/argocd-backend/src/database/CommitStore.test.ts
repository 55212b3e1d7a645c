import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { CommitInfo } from '@paved/plugin-argocd-common';
import { DatabaseCommitStore, commitStoreFor } from './CommitStore';

jest.setTimeout(60_000);

const repoUrl = 'https://github.example.com/acme/cart';

function commit(sha: string, message: string): CommitInfo {
  return {
    sha,
    message,
    author: { name: 'Alice', login: 'alice', avatarUrl: 'https://a/x.png' },
    committedAt: '2026-11-20T10:00:00Z',
    url: `${repoUrl}/commit/${sha}`,
  };
}

describe('DatabaseCommitStore', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_18', 'SQLITE_3'] });

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    async function createStore() {
      const knex = await databases.init(databaseId);
      return DatabaseCommitStore.create({
        database: mockServices.database({ knex }),
      });
    }

    it('returns stored commits of the asked repository only', async () => {
      const store = await createStore();
      const a = 'a'.repeat(40);
      const b = 'b'.repeat(40);
      await store.saveCommit(repoUrl, a, commit(a, 'Deploy v1'));
      await store.saveCommit(
        'https://github.example.com/acme/other',
        b,
        commit(b, 'Elsewhere'),
      );

      const found = await store.getCommits(repoUrl, [a, b]);

      expect([...found.keys()]).toEqual([a]);
      expect(found.get(a)).toEqual(commit(a, 'Deploy v1'));
    });

    it('keeps the first write of a commit and omits absent optional fields', async () => {
      const store = await createStore();
      const sha = 'c'.repeat(40);
      await store.saveCommit(repoUrl, sha, {
        sha,
        message: 'Initial',
        author: { name: 'Bot' },
        url: `${repoUrl}/commit/${sha}`,
      });
      await store.saveCommit(repoUrl, sha, commit(sha, 'Written again'));

      expect((await store.getCommits(repoUrl, [sha])).get(sha)).toEqual({
        sha,
        message: 'Initial',
        author: { name: 'Bot' },
        url: `${repoUrl}/commit/${sha}`,
      });
    });

    it('is created once per database service', async () => {
      const knex = await databases.init(databaseId);
      const database = mockServices.database({ knex });
      const [first, second] = await Promise.all([
        commitStoreFor(database),
        commitStoreFor(database),
      ]);
      expect(first).toBe(second);
    });
  });
});
