import { Link } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Step from '@material-ui/core/Step';
import StepLabel from '@material-ui/core/StepLabel';
import Stepper from '@material-ui/core/Stepper';
import Typography from '@material-ui/core/Typography';
import { InfrastructureRequest } from '@paved/plugin-crossplane-common';
import { DateTime } from 'luxon';
import { TimelineStep, timelineSteps } from './timelineSteps';

function StepTime(props: { iso: string }) {
  const time = DateTime.fromISO(props.iso);
  return (
    <time dateTime={props.iso}>
      {time.isValid ? time.toLocaleString(DateTime.DATETIME_MED) : props.iso}
    </time>
  );
}

function StepDetails(props: { step: TimelineStep }) {
  const { step } = props;
  if (step.state === 'pending') {
    return null;
  }
  return (
    <>
      {(step.at || step.actor) && (
        <Typography variant="caption" color="textSecondary" component="div">
          {step.at && <StepTime iso={step.at} />}
          {step.actor && (
            <>
              {step.at && ' · '}by <EntityRefLink entityRef={step.actor} />
            </>
          )}
        </Typography>
      )}
      {step.message && (
        <Typography
          variant="body2"
          color={step.state === 'error' ? 'error' : 'textPrimary'}
          component="div"
        >
          {step.message}
        </Typography>
      )}
      {step.link && (
        <Typography variant="body2" component="div">
          <Link to={step.link.href}>{step.link.label}</Link>
        </Typography>
      )}
    </>
  );
}

/**
 * A request's timeline as a vertical stepper: done steps with when, who and what was said,
 * the step in progress active, a rejection or failure as an error step with its message.
 */
export function RequestTimeline(props: { request: InfrastructureRequest }) {
  const steps = timelineSteps(props.request);
  const activeStep = steps.findIndex(
    step => step.state === 'active' || step.state === 'error',
  );
  return (
    <Stepper
      orientation="vertical"
      activeStep={activeStep === -1 ? steps.length : activeStep}
      aria-label="Timeline"
    >
      {steps.map(step => (
        <Step
          key={step.key}
          completed={step.state === 'done'}
          active={step.state === 'active' || step.state === 'error'}
          data-state={step.state}
          data-testid={`timeline-step-${step.key}`}
        >
          <StepLabel
            error={step.state === 'error'}
            optional={<StepDetails step={step} />}
          >
            {step.label}
          </StepLabel>
        </Step>
      ))}
    </Stepper>
  );
}
