import { ToneChip, Tone } from '@paved/paved-react';
import { CheckOutcome as Outcome } from '@paved/plugin-scorecards-common';

const outcomes: Record<Outcome, { label: string; tone: Tone }> = {
  pass: { label: 'Pass', tone: 'ok' },
  fail: { label: 'Fail', tone: 'error' },
  unknown: { label: 'Unknown', tone: 'neutral' },
};

/** A check's outcome as a chip named "Outcome: Pass", "Outcome: Fail" or "Outcome: Unknown". */
export function CheckOutcome(props: { outcome: Outcome }) {
  const { label, tone } = outcomes[props.outcome];
  return <ToneChip aspect="Outcome" label={label} tone={tone} />;
}
