import {
  Content,
  ContentHeader,
  Link,
  Progress,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Paper from '@material-ui/core/Paper';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { Alert } from '@material-ui/lab';
import {
  FieldError,
  InfrastructureRequestInput,
  LiveResource,
  OfferingForm,
} from '@paved/plugin-crossplane-common';
import { Form } from '@rjsf/material-ui';
import { RJSFSchema, UiSchema } from '@rjsf/utils';
import validator from '@rjsf/validator-ajv8';
import { useRef, useState } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import {
  CrossplaneApi,
  crossplaneApiRef,
  fieldErrorsOf,
  serverMessageOf,
} from '../../api';
import { requestRouteRef, rootRouteRef } from '../../routes';
import { CrossplaneErrorPanel } from '../CrossplaneErrorPanel';
import { EntityPicker } from './EntityPicker';
import { EnvironmentPicker } from './EnvironmentPicker';
import { FieldErrorsByInput, fieldErrorsByInput } from './fieldErrorsByInput';

// RFC 1123 label, what Kubernetes requires of most names; the server checks the rest.
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const NAME_HELP =
  "A DNS label: at most 63 lower-case letters, digits or '-', starting and ending with a letter or digit.";

const noFieldErrors: FieldErrorsByInput = { parameters: {}, others: [] };

function initialEnvironment(
  form: OfferingForm,
  requested: string | null,
): string | null {
  const available = form.environments.filter(env => env.available);
  return (
    available.find(env => env.name === requested)?.name ??
    available[0]?.name ??
    null
  );
}

/** What the request form asks before the parameters, checked before anything is sent. */
function localFieldErrors(values: {
  entityRef: string | null;
  environment: string | null;
  name: string;
}): FieldErrorsByInput {
  const errors: FieldErrorsByInput = { parameters: {}, others: [] };
  if (!values.entityRef) {
    errors.entityRef = 'Choose the entity the infrastructure is for.';
  }
  if (!values.environment) {
    errors.environment = 'Choose an environment.';
  }
  if (!values.name) {
    errors.name = 'Give the resource a name.';
  } else if (values.name.length > 63 || !DNS_LABEL.test(values.name)) {
    errors.name = NAME_HELP;
  }
  return errors;
}

function hasLocalErrors(errors: FieldErrorsByInput): boolean {
  return Boolean(errors.entityRef || errors.environment || errors.name);
}

function OtherFieldErrors(props: { fields: FieldError[] }) {
  if (props.fields.length === 0) {
    return null;
  }
  return (
    <ul>
      {props.fields.map(field => (
        <li key={`${field.path}: ${field.message}`}>
          {field.path}: {field.message}
        </li>
      ))}
    </ul>
  );
}

/**
 * The form, for a new resource or, with `live`, a change of a live one: prefilled from its
 * parameters, with its entity, environment and name fixed.
 */
function RequestFormBody(props: { form: OfferingForm; live?: LiveResource }) {
  const { form, live } = props;
  const api = useApi(crossplaneApiRef);
  const requestRoute = useRouteRef(requestRouteRef);
  const navigate = useNavigate();
  const [searchParams] = useSearchParams();

  const [entityRef, setEntityRef] = useState<string | null>(
    searchParams.get('entity'),
  );
  const [environment, setEnvironment] = useState(
    () =>
      live?.environment ??
      initialEnvironment(form, searchParams.get('environment')),
  );
  const [name, setName] = useState(live?.name ?? '');
  const [parameters, setParameters] = useState<Record<string, unknown>>(
    live?.parameters ?? {},
  );
  const [sending, setSending] = useState(false);
  const [fieldErrors, setFieldErrors] = useState(noFieldErrors);
  const [failure, setFailure] = useState<string>();

  // One id per form and set of values: a double click or a retry after a lost answer sends the
  // same id, which the server answers with the request it already made, never a second one.
  const attempt = useRef<{ values: string; clientRequestId: string }>();
  const inFlight = useRef(false);

  const selected = form.environments.find(env => env.name === environment);

  async function submit(formParameters: Record<string, unknown>) {
    const local = localFieldErrors({ entityRef, environment, name });
    setFailure(undefined);
    setFieldErrors(local);
    if (hasLocalErrors(local) || inFlight.current) {
      return;
    }
    const values: Omit<InfrastructureRequestInput, 'clientRequestId'> = {
      ...(live
        ? {
            operation: 'update' as const,
            ...(live.namespace ? { namespace: live.namespace } : {}),
          }
        : {}),
      offering: form.offering.name,
      environment: environment!,
      entityRef: entityRef!,
      name,
      parameters: formParameters,
    };
    const valuesKey = JSON.stringify(values);
    if (attempt.current?.values !== valuesKey) {
      attempt.current = {
        values: valuesKey,
        clientRequestId: crypto.randomUUID(),
      };
    }

    inFlight.current = true;
    setSending(true);
    try {
      const created = await api.createRequest({
        ...values,
        clientRequestId: attempt.current.clientRequestId,
      });
      if (requestRoute) {
        navigate(requestRoute({ id: created.id }));
      }
    } catch (e) {
      setFieldErrors(fieldErrorsByInput(fieldErrorsOf(e)));
      setFailure(serverMessageOf(e));
    } finally {
      inFlight.current = false;
      setSending(false);
    }
  }

  return (
    <Grid container spacing={3}>
      {form.teams && (
        <Grid item xs={12}>
          <Alert severity="info">
            Only these teams may request {form.offering.title}:{' '}
            {form.teams.join(', ')}.
          </Alert>
        </Grid>
      )}
      {live && (
        <Grid item xs={12}>
          <Alert severity="info">
            Changing {live.kind} {live.name}
            {live.namespace ? ` in ${live.namespace}` : ''} on {live.cluster}{' '}
            for {entityRef}: the guardrails and approvals of {environment} apply
            again.
          </Alert>
        </Grid>
      )}
      <Grid item xs={12} md={6}>
        <EntityPicker
          value={entityRef}
          onChange={setEntityRef}
          error={fieldErrors.entityRef}
          disabled={Boolean(live)}
        />
      </Grid>
      <Grid item xs={12} md={6}>
        <TextField
          disabled={Boolean(live)}
          id="crossplane-request-name"
          label="Name"
          value={name}
          onChange={event => setName(event.target.value)}
          required
          fullWidth
          variant="outlined"
          error={Boolean(fieldErrors.name)}
          helperText={fieldErrors.name ?? NAME_HELP}
          inputProps={{ spellCheck: false, autoCapitalize: 'none' }}
        />
      </Grid>
      <Grid item xs={12}>
        <EnvironmentPicker
          environments={
            live
              ? form.environments.filter(env => env.name === live.environment)
              : form.environments
          }
          value={environment}
          onChange={setEnvironment}
          error={fieldErrors.environment}
        />
      </Grid>
      <Grid item xs={12}>
        <Paper variant="outlined">
          <Box p={2}>
            <Typography variant="h6" component="h2">
              Parameters
            </Typography>
            {selected ? (
              <Form
                schema={selected.schema as RJSFSchema}
                uiSchema={selected.uiSchema as UiSchema}
                formData={parameters}
                onChange={event => setParameters(event.formData ?? {})}
                onSubmit={event => submit(event.formData ?? {})}
                // Checks the other fields too, so every mistake shows at once.
                onError={() =>
                  setFieldErrors(
                    localFieldErrors({ entityRef, environment, name }),
                  )
                }
                validator={validator}
                extraErrors={fieldErrors.parameters}
                showErrorList={false}
                noHtml5Validate
              >
                {failure && (
                  <Box mb={2}>
                    <Alert severity="error">
                      {failure}
                      <OtherFieldErrors fields={fieldErrors.others} />
                    </Alert>
                  </Box>
                )}
                <Button
                  type="submit"
                  variant="contained"
                  color="primary"
                  disabled={sending}
                >
                  {sending && 'Submitting…'}
                  {!sending && (live ? 'Submit change' : 'Submit request')}
                </Button>
              </Form>
            ) : (
              <Typography>
                No environment offers {form.offering.title} to you.
              </Typography>
            )}
          </Box>
        </Paper>
      </Grid>
    </Grid>
  );
}

/**
 * The live resource `?change=<name>` names among the entity's (`?entity=`, `?environment=`,
 * `?namespace=`), or undefined for a new request.
 */
async function liveResourceToChange(
  api: CrossplaneApi,
  offering: string,
  searchParams: URLSearchParams,
): Promise<LiveResource | undefined> {
  const name = searchParams.get('change');
  const entityRef = searchParams.get('entity');
  if (!name || !entityRef) {
    return undefined;
  }
  const { resources } = await api.getEntityResources(entityRef);
  const live = resources.find(
    resource =>
      resource.offering === offering &&
      resource.name === name &&
      resource.environment === searchParams.get('environment') &&
      (resource.namespace ?? null) === searchParams.get('namespace'),
  );
  if (!live) {
    throw new Error(
      `${entityRef} has no live ${name} of this offering in ${searchParams.get(
        'environment',
      )} to change`,
    );
  }
  return live;
}

/**
 * The request form of one offering (`/request/:offering`): entity, environment with what it
 * implies, name, and the parameters generated from the environment's schema; with
 * `?change=<name>` a change of that live resource of the entity, prefilled from it. The server
 * has the last word: its field errors land on the fields, its message in an alert.
 */
export function RequestFormPage() {
  const { offering = '' } = useParams();
  const [searchParams] = useSearchParams();
  const api = useApi(crossplaneApiRef);
  const rootRoute = useRouteRef(rootRouteRef);
  const { value, error } = useAsync(
    async () => {
      const [form, live] = await Promise.all([
        api.getOfferingForm(offering),
        liveResourceToChange(api, offering, searchParams),
      ]);
      return { form, live };
    },
    // The query names what to change; read it once per offering.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, offering],
  );
  const form = value?.form;
  const live = value?.live;

  return (
    <Content>
      <ContentHeader
        title={
          (live && `Change ${live.name}`) ||
          (form ? `Request ${form.offering.title}` : 'Request infrastructure')
        }
        description={form?.offering.description}
      />
      {rootRoute && (
        <Box mb={2}>
          <Link to={rootRoute()}>All offerings and requests</Link>
        </Box>
      )}
      {error && <CrossplaneErrorPanel error={error} />}
      {!error && !form && <Progress />}
      {form && <RequestFormBody form={form} live={live} />}
    </Content>
  );
}
