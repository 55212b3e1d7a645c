import { infrastructureRequest } from '../../testing/fixtures';
import { timelineSteps } from './timelineSteps';

const at = (minute: number) =>
  `2026-12-06T09:${String(minute).padStart(2, '0')}:00.000Z`;

describe('timelineSteps', () => {
  it('reads a change as applied, then Synced and Ready, with no creation or credentials', () => {
    const steps = timelineSteps(
      infrastructureRequest({
        operation: 'update',
        status: 'synced',
        events: [
          { status: 'queued', at: at(0) },
          { status: 'updating', at: at(1) },
          { status: 'synced', at: at(2) },
        ],
      }),
    );
    expect(steps.map(step => [step.label, step.state])).toEqual([
      ['Submitted', 'done'],
      ['Queued', 'done'],
      ['Change applied', 'done'],
      ['Synced', 'done'],
      ['Ready', 'active'],
    ]);
  });

  it('reads a deletion as Deleting then Deleted, after its approval', () => {
    const steps = timelineSteps(
      infrastructureRequest({
        operation: 'delete',
        status: 'deleting',
        approval: { decision: 'approved', by: 'user:default/sre', at: at(1) },
        events: [
          { status: 'awaiting-approval', at: at(0) },
          { status: 'queued', at: at(1) },
          { status: 'deleting', at: at(2) },
        ],
      }),
    );
    expect(steps.map(step => [step.label, step.state])).toEqual([
      ['Submitted', 'done'],
      ['Awaiting approval', 'done'],
      ['Approved', 'done'],
      ['Deleting', 'done'],
      ['Deleted', 'active'],
    ]);
  });
});
