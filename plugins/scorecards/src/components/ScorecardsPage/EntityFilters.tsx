import Grid from '@material-ui/core/Grid';
import TextField from '@material-ui/core/TextField';
import { Autocomplete } from '@material-ui/lab';
import { EntityFilter, EntitySummary } from '@paved/plugin-scorecards-common';
import { shortRef } from '../shortRef';

/** The values the entities carry for each filter, sorted, so every option matches something. */
export function filterOptions(entities: EntitySummary[]) {
  const distinct = (values: (string | undefined)[]) =>
    [...new Set(values.filter((v): v is string => Boolean(v)))].sort();
  return {
    owner: distinct(entities.map(entity => entity.ownerRef)),
    system: distinct(entities.map(entity => entity.systemRef)),
    lifecycle: distinct(entities.map(entity => entity.lifecycle)),
  };
}

const labels: Record<keyof EntityFilter, string> = {
  owner: 'Owner',
  system: 'System',
  lifecycle: 'Lifecycle',
};

function FilterPicker(props: {
  name: keyof EntityFilter;
  options: string[];
  value: string[];
  onChange: (value: string[]) => void;
}) {
  const { name } = props;
  return (
    <Autocomplete
      multiple
      size="small"
      options={props.options}
      value={props.value}
      getOptionLabel={option =>
        name === 'lifecycle' ? option : shortRef(option)
      }
      onChange={(_, value) => props.onChange(value)}
      renderInput={params => (
        <TextField {...params} variant="outlined" label={labels[name]} />
      )}
    />
  );
}

/** Owner, system and lifecycle pickers; an empty picker does not filter. */
export function EntityFilters(props: {
  options: ReturnType<typeof filterOptions>;
  filter: EntityFilter;
  onChange: (filter: EntityFilter) => void;
}) {
  const { options, filter, onChange } = props;
  return (
    <Grid container spacing={2}>
      {(['owner', 'system', 'lifecycle'] as const).map(name => (
        <Grid item xs={12} md={4} key={name}>
          <FilterPicker
            name={name}
            options={options[name]}
            value={filter[name] ?? []}
            onChange={value => onChange({ ...filter, [name]: value })}
          />
        </Grid>
      ))}
    </Grid>
  );
}
