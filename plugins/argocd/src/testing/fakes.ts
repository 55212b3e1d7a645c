import { CompoundEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { SignalApi } from '@backstage/plugin-signals-react';
import {
  ApplicationDetailResponse,
  ApplicationHistoryResponse,
  ApplicationsChangedSignal,
  EntityApplicationsResponse,
} from '@paved/plugin-argocd-common';
import { ApplicationRef, ArgoCdApi } from '../api';

type Answer<T> = T | Error;

function settle<T>(answer: Answer<T> | undefined, what: string): Promise<T> {
  if (answer === undefined) {
    return Promise.reject(new Error(`The fake has no ${what}`));
  }
  return answer instanceof Error
    ? Promise.reject(answer)
    : Promise.resolve(structuredClone(answer));
}

function appKey(application: ApplicationRef): string {
  return `${application.instance}/${application.namespace}/${application.name}`;
}

/** An in-memory {@link ArgoCdApi} whose answers a test sets and changes. */
export class FakeArgoCdApi implements ArgoCdApi {
  applications: Answer<EntityApplicationsResponse> | undefined;
  readonly details = new Map<string, Answer<ApplicationDetailResponse>>();
  readonly histories = new Map<string, Answer<ApplicationHistoryResponse>>();
  readonly calls: Array<{ method: string; entityRef: CompoundEntityRef }> = [];

  setDetail(
    application: ApplicationRef,
    answer: Answer<ApplicationDetailResponse>,
  ) {
    this.details.set(appKey(application), answer);
  }

  setHistory(
    application: ApplicationRef,
    answer: Answer<ApplicationHistoryResponse>,
  ) {
    this.histories.set(appKey(application), answer);
  }

  callsOf(method: keyof ArgoCdApi): number {
    return this.calls.filter(c => c.method === method).length;
  }

  getEntityApplications(entityRef: CompoundEntityRef) {
    this.calls.push({ method: 'getEntityApplications', entityRef });
    return settle(this.applications, 'applications');
  }

  getApplicationDetail(entityRef: CompoundEntityRef, app: ApplicationRef) {
    this.calls.push({ method: 'getApplicationDetail', entityRef });
    return settle(this.details.get(appKey(app)), `detail of ${appKey(app)}`);
  }

  getApplicationHistory(entityRef: CompoundEntityRef, app: ApplicationRef) {
    this.calls.push({ method: 'getApplicationHistory', entityRef });
    return settle(this.histories.get(appKey(app)), `history of ${appKey(app)}`);
  }
}

/** A {@link SignalApi} that delivers what the test publishes to current subscribers. */
export class FakeSignalApi implements SignalApi {
  private readonly subscribers = new Map<string, Set<(m: any) => void>>();

  subscribe: SignalApi['subscribe'] = (channel, onMessage) => {
    const set = this.subscribers.get(channel) ?? new Set();
    set.add(onMessage);
    this.subscribers.set(channel, set);
    return {
      unsubscribe: () => {
        set.delete(onMessage);
      },
    };
  };

  publish(channel: string, message: ApplicationsChangedSignal) {
    this.subscribers.get(channel)?.forEach(onMessage => onMessage(message));
  }
}

/** A ResponseError as the client builds it from Backstage's standard JSON error body. */
export async function serverError(
  status: number,
  statusText: string,
  error: { name: string; message: string },
): Promise<ResponseError> {
  const body = {
    error,
    request: {
      method: 'GET',
      url: '/api/argocd/entity/component/default/cart/applications',
    },
    response: { statusCode: status },
  };
  return ResponseError.fromResponse(
    new Response(JSON.stringify(body), {
      status,
      statusText,
      headers: { 'content-type': 'application/json' },
    }),
  );
}
