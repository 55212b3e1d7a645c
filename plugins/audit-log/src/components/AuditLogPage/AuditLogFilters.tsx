import {
  Box,
  Button,
  FormControl,
  Grid,
  InputLabel,
  MenuItem,
  Select,
  TextField,
} from '@material-ui/core';
import {
  AuditEventFilter,
  AuditEventOutcome,
  auditEventOutcomes,
} from '@paved/plugin-audit-log-common';
import { DateTime } from 'luxon';
import { FormEvent, useState } from 'react';

const outcomeLabels: Record<AuditEventOutcome, string> = {
  initiated: 'Initiated',
  succeeded: 'Succeeded',
  failed: 'Failed',
  denied: 'Denied',
};

/** What the form holds: times as the browser's `datetime-local` values, in local time. */
interface FilterForm {
  actor: string;
  plugin: string;
  action: string;
  entity: string;
  outcome: AuditEventOutcome | '';
  from: string;
  to: string;
}

const emptyForm: FilterForm = {
  actor: '',
  plugin: '',
  action: '',
  entity: '',
  outcome: '',
  from: '',
  to: '',
};

function localToIso(value: string): string | undefined {
  return value
    ? DateTime.fromISO(value).toUTC().toISO() ?? undefined
    : undefined;
}

/** The form as the API's filter: empty fields left out, local times as UTC ISO 8601. */
export function toFilter(form: FilterForm): AuditEventFilter {
  const filter: AuditEventFilter = {};
  for (const key of ['actor', 'plugin', 'action', 'entity'] as const) {
    const value = form[key].trim();
    if (value) {
      filter[key] = value;
    }
  }
  if (form.outcome) filter.outcome = form.outcome;
  const from = localToIso(form.from);
  if (from) filter.from = from;
  const to = localToIso(form.to);
  if (to) filter.to = to;
  return filter;
}

/** Filter fields; the table reloads only when "Apply filters" is pressed. */
export function AuditLogFilters(props: {
  onApply: (filter: AuditEventFilter) => void;
  onExport: (filter: AuditEventFilter) => void;
  exporting: boolean;
}) {
  const { onApply, onExport, exporting } = props;
  const [form, setForm] = useState<FilterForm>(emptyForm);
  const field = (key: keyof FilterForm) => ({
    id: `audit-log-filter-${key}`,
    value: form[key],
    onChange: (event: { target: { value: unknown } }) =>
      setForm(current => ({ ...current, [key]: String(event.target.value) })),
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply(toFilter(form));
  };

  return (
    <Box component="form" onSubmit={submit} mb={2} aria-label="Filters">
      <Grid container spacing={2} alignItems="flex-end">
        <Grid item xs={12} sm={6} md={3}>
          <TextField
            {...field('actor')}
            label="Actor"
            placeholder="user:default/jane"
            fullWidth
          />
        </Grid>
        <Grid item xs={12} sm={6} md={3}>
          <TextField
            {...field('plugin')}
            label="Plugin"
            placeholder="catalog"
            fullWidth
          />
        </Grid>
        <Grid item xs={12} sm={6} md={3}>
          <TextField
            {...field('action')}
            label="Action"
            placeholder="entity-mutate"
            fullWidth
          />
        </Grid>
        <Grid item xs={12} sm={6} md={3}>
          <TextField
            {...field('entity')}
            label="Entity"
            placeholder="component:default/payments"
            fullWidth
          />
        </Grid>
        <Grid item xs={12} sm={4} md={3}>
          <FormControl fullWidth>
            <InputLabel id="audit-log-filter-outcome-label" shrink>
              Outcome
            </InputLabel>
            <Select
              {...field('outcome')}
              labelId="audit-log-filter-outcome-label"
              displayEmpty
            >
              <MenuItem value="">Any</MenuItem>
              {auditEventOutcomes.map(outcome => (
                <MenuItem key={outcome} value={outcome}>
                  {outcomeLabels[outcome]}
                </MenuItem>
              ))}
            </Select>
          </FormControl>
        </Grid>
        <Grid item xs={12} sm={4} md={3}>
          <TextField
            {...field('from')}
            label="From"
            type="datetime-local"
            InputLabelProps={{ shrink: true }}
            fullWidth
          />
        </Grid>
        <Grid item xs={12} sm={4} md={3}>
          <TextField
            {...field('to')}
            label="To"
            type="datetime-local"
            InputLabelProps={{ shrink: true }}
            fullWidth
          />
        </Grid>
        <Grid item xs={12} md={3}>
          <Box display="flex" style={{ gap: 8 }}>
            <Button type="submit" variant="contained" color="primary">
              Apply filters
            </Button>
            <Button
              onClick={() => {
                setForm(emptyForm);
                onApply({});
              }}
            >
              Clear
            </Button>
            <Button
              variant="outlined"
              disabled={exporting}
              onClick={() => onExport(toFilter(form))}
            >
              Export CSV
            </Button>
          </Box>
        </Grid>
      </Grid>
    </Box>
  );
}
