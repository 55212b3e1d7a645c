import {
  AuthService,
  DiscoveryService,
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { EventsService } from '@backstage/plugin-events-node';
import {
  InfrastructureRequest,
  OfferingsResponse,
  REQUEST_EVENTS_TOPIC,
  RESOURCE_HISTORY_STATUSES,
  RequestList,
  requestedResourcesThatExist,
} from '@paved/plugin-crossplane-common';
import { resourceEntity } from './resourceEntity';

/** The most the crossplane backend returns in one page of `GET /requests`. */
const PAGE_SIZE = 500;
/** A crossplane backend that does not answer must not hold up every later refresh. */
const READ_TIMEOUT_MS = 30_000;

/**
 * Puts the resource of every request made through Paved's Crossplane self-service in the
 * catalog as a `Resource` entity, read from the crossplane backend over HTTP. It replaces all of
 * its entities on a schedule and whenever a request changes (events topic
 * `crossplane.requests`); refreshes never overlap, and a burst of changes runs at most one more.
 */
export class CrossplaneResourceProvider implements EntityProvider {
  private connection?: EntityProviderConnection;
  private running?: Promise<void>;
  private runAgain = false;

  constructor(
    private readonly options: {
      discovery: DiscoveryService;
      auth: AuthService;
      logger: LoggerService;
      scheduler: SchedulerService;
      events: EventsService;
      schedule: SchedulerServiceTaskScheduleDefinition;
      /** The portal's address (`app.baseUrl`), for links to each request's page. */
      appBaseUrl: string;
    },
  ) {}

  getProviderName(): string {
    return 'crossplane-resources';
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.connection = connection;
    const { scheduler, events, schedule } = this.options;
    await scheduler.scheduleTask({
      id: `${this.getProviderName()}:refresh`,
      ...schedule,
      fn: () => this.refresh(),
    });
    await events.subscribe({
      id: `catalog-${this.getProviderName()}`,
      topics: [REQUEST_EVENTS_TOPIC],
      // Not awaited: the events of a burst then join the refresh under way instead of each
      // waiting for one of its own.
      onEvent: async () => {
        this.refresh().catch(error =>
          this.options.logger.warn(
            'Could not update the catalog Resources after a request changed',
            { error: String(error) },
          ),
        );
      },
    });
  }

  /**
   * Replaces the provider's entities with the requests' resources as they are now. Resolves
   * when a refresh that started after this call has finished. When the crossplane backend
   * cannot be read, the previous entities stay and a warning is logged.
   */
  refresh(): Promise<void> {
    if (this.running) {
      this.runAgain = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.runAgain = false;
        await this.refreshOnce();
      } while (this.runAgain);
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async refreshOnce(): Promise<void> {
    const connection = this.connection;
    if (!connection) return;
    let entities;
    try {
      const [types, requests] = await Promise.all([
        this.resourceTypes(),
        this.requestsWithResources(),
      ]);
      entities = requests.map(request => ({
        entity: resourceEntity(request, {
          appBaseUrl: this.options.appBaseUrl,
          resourceType: types.get(request.offering),
        }),
        locationKey: this.getProviderName(),
      }));
    } catch (error) {
      // An empty full mutation would delete every entity; keep them until the backend answers.
      this.options.logger.warn(
        'Could not read requests from the crossplane backend; the catalog keeps the Resources it has',
        { error: String(error) },
      );
      return;
    }
    await connection.applyMutation({ type: 'full', entities });
    this.options.logger.debug('Catalog Resources of requested infrastructure', {
      entities: entities.length,
    });
  }

  /** The create requests whose resource exists, walking `GET /requests` page by page. */
  private async requestsWithResources(): Promise<InfrastructureRequest[]> {
    // A request made while paging pushes the rest down a place and is read twice; keep one.
    const byId = new Map<string, InfrastructureRequest>();
    for (let offset = 0; ; offset += PAGE_SIZE) {
      const query = new URLSearchParams({
        status: RESOURCE_HISTORY_STATUSES.join(','),
        limit: String(PAGE_SIZE),
        offset: String(offset),
      });
      const page = await this.get<RequestList>(`/requests?${query}`);
      for (const request of page.requests) byId.set(request.id, request);
      if (page.requests.length < PAGE_SIZE) break;
    }
    return requestedResourcesThatExist([...byId.values()]);
  }

  /** The catalog type of each offering's resources, by XRD name, where its XRD names one. */
  private async resourceTypes(): Promise<Map<string, string>> {
    const { offerings } = await this.get<OfferingsResponse>('/offerings');
    return new Map(
      offerings.flatMap(offering =>
        offering.resourceType
          ? [[offering.name, offering.resourceType] as const]
          : [],
      ),
    );
  }

  private async get<T>(path: string): Promise<T> {
    const { auth, discovery } = this.options;
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: await auth.getOwnServiceCredentials(),
      targetPluginId: 'crossplane',
    });
    const url = `${await discovery.getBaseUrl('crossplane')}${path}`;
    const res = await fetch(url, {
      headers: { Authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(READ_TIMEOUT_MS),
    });
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return (await res.json()) as T;
  }
}
