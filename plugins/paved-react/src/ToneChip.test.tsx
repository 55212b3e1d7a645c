import { renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { DateTime } from 'luxon';
import { RelativeTime } from './RelativeTime';
import { ToneChip } from './ToneChip';

describe('ToneChip', () => {
  it('names its aspect and label for assistive technology, not only its colour', async () => {
    await renderInTestApp(
      <ToneChip aspect="Health" label="Degraded" tone="error" />,
    );
    const chip = screen.getByLabelText('Health: Degraded');
    expect(chip).toHaveTextContent('Degraded');
    expect(chip).toHaveAttribute('data-tone', 'error');
  });
});

describe('RelativeTime', () => {
  it('says how long ago, with the machine-readable time', async () => {
    const iso = DateTime.now().minus({ minutes: 3 }).toISO()!;
    await renderInTestApp(<RelativeTime iso={iso} />);
    expect(screen.getByText('3 minutes ago')).toHaveAttribute('datetime', iso);
  });

  it('says "never" without a time', async () => {
    await renderInTestApp(<RelativeTime />);
    expect(screen.getByText('never')).toBeInTheDocument();
  });
});
