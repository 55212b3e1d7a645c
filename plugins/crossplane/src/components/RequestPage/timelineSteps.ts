import {
  InfrastructureRequest,
  RequestEvent,
  RequestStatus,
} from '@paved/plugin-crossplane-common';

/** One step of a request's timeline as the Stepper shows it. */
export interface TimelineStep {
  key: string;
  label: string;
  state: 'done' | 'active' | 'error' | 'pending';
  /** When it was reached (ISO), who moved it and what they or the cluster said. */
  at?: string;
  actor?: string;
  message?: string;
  /** A page to open from the step, such as the pull request that delivers the request. */
  link?: { href: string; label: string };
}

type HappyStatus = Exclude<RequestStatus, 'rejected' | 'failed'>;

/**
 * Each operation's happy path: create, change (update) and delete read differently. A request
 * delivered by pull request goes through `pr-opened` and `merged` after `queued`.
 */
const happyPaths: Record<InfrastructureRequest['operation'], HappyStatus[]> = {
  create: [
    'awaiting-approval',
    'queued',
    'pr-opened',
    'merged',
    'created',
    'synced',
    'ready',
    'credentials-available',
  ],
  update: [
    'awaiting-approval',
    'queued',
    'pr-opened',
    'merged',
    'updating',
    'synced',
    'ready',
  ],
  delete: [
    'awaiting-approval',
    'queued',
    'pr-opened',
    'merged',
    'deleting',
    'deleted',
  ],
};

function lastEventOf(
  events: RequestEvent[],
  status: RequestStatus,
): RequestEvent | undefined {
  return [...events].reverse().find(event => event.status === status);
}

function needsApproval(request: InfrastructureRequest): boolean {
  // Environments that require approval put every request through awaiting-approval first, so
  // its trace is enough; no need to read the environment's form (which readers may not see).
  return (
    request.status === 'awaiting-approval' ||
    request.approval !== undefined ||
    request.events.some(event => event.status === 'awaiting-approval')
  );
}

function deliveredByPullRequest(request: InfrastructureRequest): boolean {
  return (
    request.pullRequest !== undefined ||
    request.events.some(event => event.status === 'pr-opened')
  );
}

/**
 * The happy path of one request — for a create `submitted → awaiting approval → approved/queued
 * → (pull request opened → merged →) created → synced → ready → credentials available`, for a
 * change `… → updating → synced → ready`, for a delete `… → deleting → deleted`: steps reached
 * are done (with time, actor and message from the timeline), the next is active; a rejected or
 * failed request shows an error step where it stopped. Awaiting approval appears only for
 * requests that went through it, the pull request's steps only for requests delivered by one.
 */
export function timelineSteps(request: InfrastructureRequest): TimelineStep[] {
  const withApproval = needsApproval(request);
  const withPullRequest = deliveredByPullRequest(request);
  const path = happyPaths[request.operation ?? 'create'].filter(
    status =>
      (withApproval || status !== 'awaiting-approval') &&
      (withPullRequest || (status !== 'pr-opened' && status !== 'merged')),
  );
  const stopped = request.status === 'rejected' || request.status === 'failed';

  // How far along the path the request got, even if it failed or was rejected since.
  const reached = Math.max(
    -1,
    ...[request.status, ...request.events.map(event => event.status)].map(
      status => path.indexOf(status as HappyStatus),
    ),
  );
  // Awaiting approval is reached but not passed: it is the step in progress.
  const lastDone =
    request.status === 'awaiting-approval' ? reached - 1 : reached;
  const active = stopped ? -1 : lastDone + 1;
  const stopStep = stopped ? stopStepOf(request) : undefined;

  const steps: TimelineStep[] = [
    {
      key: 'submitted',
      label: 'Submitted',
      state: 'done',
      at: request.createdAt,
      actor: request.requestedBy,
    },
  ];
  if (stopStep && reached === -1) {
    steps.push(stopStep);
  }
  path.forEach((status, index) => {
    const event = lastEventOf(request.events, status);
    const approved =
      status === 'queued' && request.approval?.decision === 'approved'
        ? request.approval
        : undefined;
    steps.push({
      key: status,
      label: stepLabel(status, withApproval),
      state:
        (index <= lastDone && 'done') ||
        (index === active && 'active') ||
        'pending',
      at: approved?.at ?? event?.at,
      actor: approved?.by ?? event?.actor,
      message: approved?.comment ?? event?.message,
      ...(status === 'pr-opened' && request.pullRequest
        ? {
            link: {
              href: request.pullRequest.url,
              label: `Pull request #${request.pullRequest.number}`,
            },
          }
        : {}),
    });
    if (stopStep && index === reached) {
      steps.push(stopStep);
    }
  });
  // A rejected request goes no further; a failed one may still recover, so its path stays.
  return request.status === 'rejected'
    ? steps.slice(0, steps.indexOf(stopStep!) + 1)
    : steps;
}

function stepLabel(status: HappyStatus, withApproval: boolean): string {
  switch (status) {
    case 'awaiting-approval':
      return 'Awaiting approval';
    case 'queued':
      return withApproval ? 'Approved' : 'Queued';
    case 'pr-opened':
      return 'Pull request opened';
    case 'merged':
      return 'Merged';
    case 'created':
      return 'Created';
    case 'synced':
      return 'Synced';
    case 'ready':
      return 'Ready';
    case 'updating':
      return 'Change applied';
    case 'deleting':
      return 'Deleting';
    case 'deleted':
      return 'Deleted';
    default:
      return 'Credentials available';
  }
}

/** Where a rejected or failed request stopped, with the approver's comment or the error. */
function stopStepOf(request: InfrastructureRequest): TimelineStep {
  const event = lastEventOf(request.events, request.status);
  if (request.status === 'rejected') {
    return {
      key: 'rejected',
      label: 'Rejected',
      state: 'error',
      at: request.approval?.at ?? event?.at,
      actor: request.approval?.by ?? event?.actor,
      message: request.approval?.comment ?? event?.message ?? request.message,
    };
  }
  return {
    key: 'failed',
    label: 'Failed',
    state: 'error',
    at: event?.at,
    actor: event?.actor,
    message: event?.message ?? request.message,
  };
}
