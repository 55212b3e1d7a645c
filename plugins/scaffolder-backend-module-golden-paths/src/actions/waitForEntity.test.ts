import { Entity } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { createWaitForEntityAction } from './waitForEntity';

/** A catalog that starts serving each entity after it has been asked for it `after` times. */
function catalogServing(after: Record<string, number>) {
  const asked = new Map<string, number>();
  const getEntityByRef = jest.fn(async (ref: string) => {
    const count = (asked.get(ref) ?? 0) + 1;
    asked.set(ref, count);
    return count > (after[ref] ?? Infinity)
      ? ({ kind: 'Component', metadata: { name: ref } } as unknown as Entity)
      : undefined;
  });
  return { getEntityByRef } as unknown as CatalogService & {
    getEntityByRef: jest.Mock;
  };
}

async function run(catalog: CatalogService, input: Record<string, unknown>) {
  const ctx = createMockActionContext({ input: input as any });
  await createWaitForEntityAction({ catalog }).handler(ctx as any);
  return ctx;
}

describe('catalog:wait-for-entity', () => {
  it('ends only once every entity is served, asking as the person who runs the template', async () => {
    const catalog = catalogServing({
      'component:default/refunds-api': 2,
      'api:default/refunds-api-api': 4,
    });
    const ctx = await run(catalog, {
      entityRefs: [
        'component:default/refunds-api',
        'api:default/refunds-api-api',
      ],
    });
    expect(
      catalog.getEntityByRef.mock.calls.filter(
        ([ref]) => ref === 'api:default/refunds-api-api',
      ),
    ).toHaveLength(5);
    expect(catalog.getEntityByRef.mock.calls[0][1]).toEqual({
      credentials: await ctx.getInitiatorCredentials(),
    });
    expect(ctx.output).toHaveBeenCalledWith('waitedMs', expect.any(Number));
  });

  it('fails after the timeout, naming what is still missing', async () => {
    const catalog = catalogServing({ 'component:default/refunds-api': 0 });
    await expect(
      run(catalog, {
        entityRefs: [
          'component:default/refunds-api',
          'api:default/refunds-api-api',
        ],
        timeoutSeconds: 1,
      }),
    ).rejects.toThrow(
      'api:default/refunds-api-api did not appear in the catalog within 1 s',
    );
  });
});
