import Box from '@material-ui/core/Box';
import FormControl from '@material-ui/core/FormControl';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormHelperText from '@material-ui/core/FormHelperText';
import FormLabel from '@material-ui/core/FormLabel';
import Radio from '@material-ui/core/Radio';
import RadioGroup from '@material-ui/core/RadioGroup';
import Typography from '@material-ui/core/Typography';
import { Alert } from '@material-ui/lab';
import { EnvironmentOffering } from '@paved/plugin-crossplane-common';

function EnvironmentLabel(props: { environment: EnvironmentOffering }) {
  const { environment } = props;
  return (
    <Box>
      <Typography variant="body1" component="span">
        {environment.title}
      </Typography>
      {environment.approvalRequired && environment.available && (
        <Typography variant="caption" color="textSecondary" component="span">
          {' '}
          · requires approval
        </Typography>
      )}
      {!environment.available && (
        <Typography variant="caption" color="textSecondary" component="p">
          Unavailable: {environment.unavailableReason ?? 'not offered here'}
        </Typography>
      )}
    </Box>
  );
}

/** What the chosen environment implies, shown before submitting: approval, guardrails, quota. */
function EnvironmentTerms(props: { environment: EnvironmentOffering }) {
  const { environment } = props;
  return (
    <Box
      component="section"
      aria-label={`What ${environment.title} allows`}
      mt={1}
    >
      {environment.approvalRequired ? (
        <Alert severity="info">
          Requires approval: an approver reviews the request before anything is
          created on {environment.cluster}.
        </Alert>
      ) : (
        <Alert severity="success">
          No approval needed: the resource is created on {environment.cluster}{' '}
          right away.
        </Alert>
      )}
      {environment.guardrails.length > 0 && (
        <Box mt={1}>
          <Typography variant="subtitle2">Guardrails</Typography>
          <ul aria-label="Guardrails" style={{ marginTop: 0 }}>
            {environment.guardrails.map(guardrail => (
              <li key={guardrail}>
                <Typography variant="body2">{guardrail}</Typography>
              </li>
            ))}
          </ul>
        </Box>
      )}
      {environment.quotaPerTeam !== undefined && (
        <Typography variant="body2">
          Quota: at most {environment.quotaPerTeam} per team in this
          environment.
        </Typography>
      )}
    </Box>
  );
}

/**
 * A radio per environment, unavailable ones disabled with the reason, and the chosen one's
 * approval, guardrails and quota.
 */
export function EnvironmentPicker(props: {
  environments: EnvironmentOffering[];
  value: string | null;
  onChange: (environment: string) => void;
  error?: string;
}) {
  const selected = props.environments.find(env => env.name === props.value);
  return (
    <FormControl component="fieldset" error={Boolean(props.error)} required>
      <FormLabel component="legend">Environment</FormLabel>
      <RadioGroup
        aria-label="Environment"
        value={props.value ?? ''}
        onChange={event => props.onChange(event.target.value)}
      >
        {props.environments.map(environment => (
          <FormControlLabel
            key={environment.name}
            value={environment.name}
            disabled={!environment.available}
            control={<Radio />}
            label={<EnvironmentLabel environment={environment} />}
          />
        ))}
      </RadioGroup>
      {props.error && <FormHelperText>{props.error}</FormHelperText>}
      {selected && <EnvironmentTerms environment={selected} />}
    </FormControl>
  );
}
