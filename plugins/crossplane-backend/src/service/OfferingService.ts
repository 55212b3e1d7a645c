import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  Offering,
  OfferingsResponse,
  crossplaneOfferingReadPermission,
} from '@paved/plugin-crossplane-common';
import { OfferingCache } from './OfferingCache';

/** What is offered, merged across clusters and read only from the cache. */
export class OfferingService {
  constructor(
    private readonly cache: OfferingCache,
    private readonly permissions: PermissionsService,
  ) {}

  async listOfferings(
    credentials: BackstageCredentials,
  ): Promise<OfferingsResponse> {
    await this.authorize(credentials);
    return {
      offerings: this.merged(),
      clusters: this.cache.clusterStates(),
    };
  }

  async getOffering(
    name: string,
    credentials: BackstageCredentials,
  ): Promise<Offering> {
    await this.authorize(credentials);
    const offering = this.merged().find(o => o.name === name);
    if (!offering) {
      throw new NotFoundError(`No offering named '${name}'`);
    }
    return offering;
  }

  /** The offering as merged across clusters, without a permission check (for delivery). */
  find(name: string): Offering | undefined {
    return this.merged().find(o => o.name === name);
  }

  private async authorize(credentials: BackstageCredentials) {
    const [decision] = await this.permissions.authorize(
      [{ permission: crossplaneOfferingReadPermission }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        'You may not see what infrastructure is offered',
      );
    }
  }

  /**
   * One offering per XRD name, listing every cluster that offers it. The definition of the first
   * configured cluster wins when clusters disagree, e.g. mid-rollout of a new version.
   */
  private merged(): Offering[] {
    const byName = new Map<string, Offering>();
    for (const { cluster, offering } of this.cache.offerings()) {
      const known = byName.get(offering.name);
      if (known) {
        known.clusters.push(cluster);
      } else {
        byName.set(offering.name, { ...offering, clusters: [cluster] });
      }
    }
    return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
}
