import { ResponseError } from '@backstage/errors';
import { SignalApi } from '@backstage/plugin-signals-react';
import {
  ApprovalsResponse,
  EntityResourcesResponse,
  FieldError,
  InfrastructureRequest,
  InfrastructureRequestInput,
  OfferingForm,
  OfferingsResponse,
  RequestResourceDetail,
  RequestSignal,
} from '@paved/plugin-crossplane-common';
import { CrossplaneApi, RequestQuery } from '../api';

type Answer<T> = T | Error;

function settle<T>(answer: Answer<T> | undefined, what: string): Promise<T> {
  if (answer === undefined) {
    return Promise.reject(new Error(`The fake has no ${what}`));
  }
  return answer instanceof Error
    ? Promise.reject(answer)
    : Promise.resolve(structuredClone(answer));
}

/** An in-memory {@link CrossplaneApi} whose answers a test sets and changes. */
export class FakeCrossplaneApi implements CrossplaneApi {
  offerings: Answer<OfferingsResponse> | undefined;
  readonly forms = new Map<string, Answer<OfferingForm>>();
  /** Answers of `listRequests`, by the query as JSON. */
  readonly lists = new Map<string, Answer<InfrastructureRequest[]>>();
  readonly requests = new Map<string, Answer<InfrastructureRequest>>();
  readonly resources = new Map<string, Answer<RequestResourceDetail>>();
  approvals: Answer<ApprovalsResponse> | undefined;
  /** Answers of `getEntityResources`, by entity ref. */
  readonly entityResources = new Map<string, Answer<EntityResourcesResponse>>();
  /** Answers of `createRequest`, one per call in order; the last one repeats. */
  createAnswers: Array<Answer<InfrastructureRequest>> = [];
  decisionAnswer: Answer<InfrastructureRequest> | undefined;

  readonly created: InfrastructureRequestInput[] = [];
  readonly listed: RequestQuery[] = [];
  readonly approved: Array<{ id: string; comment?: string }> = [];
  readonly rejected: Array<{ id: string; comment: string }> = [];
  readonly calls: string[] = [];

  setList(query: RequestQuery, requests: Answer<InfrastructureRequest[]>) {
    this.lists.set(JSON.stringify(query), requests);
  }

  callsOf(method: keyof CrossplaneApi): number {
    return this.calls.filter(call => call === method).length;
  }

  getOfferings() {
    this.calls.push('getOfferings');
    return settle(this.offerings, 'offerings');
  }

  getOfferingForm(offering: string) {
    this.calls.push('getOfferingForm');
    return settle(this.forms.get(offering), `form of ${offering}`);
  }

  createRequest(input: InfrastructureRequestInput) {
    this.calls.push('createRequest');
    this.created.push(structuredClone(input));
    const answer =
      this.createAnswers.length > 1
        ? this.createAnswers.shift()
        : this.createAnswers[0];
    return settle(answer, 'answer to createRequest');
  }

  async listRequests(query: RequestQuery) {
    this.calls.push('listRequests');
    this.listed.push(query);
    const requests = await settle(
      this.lists.get(JSON.stringify(query)),
      `requests for ${JSON.stringify(query)}`,
    );
    return { requests };
  }

  getRequest(id: string) {
    this.calls.push('getRequest');
    return settle(this.requests.get(id), `request ${id}`);
  }

  getRequestResource(id: string) {
    this.calls.push('getRequestResource');
    return settle(this.resources.get(id), `resource of ${id}`);
  }

  getEntityResources(entityRef: string) {
    this.calls.push('getEntityResources');
    return settle(
      this.entityResources.get(entityRef),
      `resources of ${entityRef}`,
    );
  }

  getApprovals() {
    this.calls.push('getApprovals');
    return settle(this.approvals, 'approvals');
  }

  approveRequest(id: string, comment?: string) {
    this.calls.push('approveRequest');
    this.approved.push({ id, comment });
    return settle(this.decisionAnswer, 'answer to a decision');
  }

  rejectRequest(id: string, comment: string) {
    this.calls.push('rejectRequest');
    this.rejected.push({ id, comment });
    return settle(this.decisionAnswer, 'answer to a decision');
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

  publish(channel: string, message: RequestSignal) {
    this.subscribers.get(channel)?.forEach(onMessage => onMessage(message));
  }
}

/** A ResponseError as the client builds it from Backstage's standard JSON error body. */
export async function serverError(
  status: number,
  statusText: string,
  error: { name: string; message: string; fields?: FieldError[] },
): Promise<ResponseError> {
  const body = { error, response: { statusCode: status } };
  return ResponseError.fromResponse(
    new Response(JSON.stringify(body), {
      status,
      statusText,
      headers: { 'content-type': 'application/json' },
    }),
  );
}
