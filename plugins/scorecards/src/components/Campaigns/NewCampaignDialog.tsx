import { useApi } from '@backstage/frontend-plugin-api';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { Alert } from '@material-ui/lab';
import { Campaign, EntityFilter } from '@paved/plugin-scorecards-common';
import { useState } from 'react';
import { scorecardsApiRef, serverMessageOf, statusOf } from '../../api';
import { EntityFilters, filterOptions } from '../ScorecardsPage/EntityFilters';

/** Why the server refused, worded for the person filling the form. */
function refusal(error: unknown): string {
  const message = serverMessageOf(error);
  if (statusOf(error) === 403) {
    return `You may not create campaigns: ${message}`;
  }
  return `The campaign was not created: ${message}`;
}

/** Drops empty scope lists, so an empty picker means "everything" rather than "nothing". */
function scopeOf(filter: EntityFilter): EntityFilter {
  return Object.fromEntries(
    Object.entries(filter).filter(([, values]) => values?.length),
  );
}

/**
 * The "New campaign" form: title, description, target level, deadline and scope. The server
 * validates; its refusal is shown above the fields and what was typed stays.
 */
export function NewCampaignDialog(props: {
  open: boolean;
  levels: string[];
  scopeOptions: ReturnType<typeof filterOptions>;
  onClose: () => void;
  onCreated: (campaign: Campaign) => void;
}) {
  const api = useApi(scorecardsApiRef);
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [targetLevel, setTargetLevel] = useState('');
  const [deadline, setDeadline] = useState('');
  const [scope, setScope] = useState<EntityFilter>({});
  const [saving, setSaving] = useState(false);
  const [failure, setFailure] = useState<string>();

  const complete = title.trim() && targetLevel && deadline;

  const create = async () => {
    setSaving(true);
    setFailure(undefined);
    try {
      const campaign = await api.createCampaign({
        title: title.trim(),
        description: description.trim() || undefined,
        targetLevel,
        deadline,
        scope: scopeOf(scope),
      });
      props.onCreated(campaign);
    } catch (error) {
      setFailure(refusal(error));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Dialog
      open={props.open}
      onClose={props.onClose}
      aria-labelledby="new-campaign-title"
      fullWidth
      maxWidth="md"
    >
      <DialogTitle id="new-campaign-title">New campaign</DialogTitle>
      <DialogContent>
        {failure && (
          <Alert severity="error" style={{ marginBottom: 16 }}>
            {failure}
          </Alert>
        )}
        <TextField
          id="campaign-title"
          label="Title"
          required
          fullWidth
          margin="normal"
          value={title}
          onChange={event => setTitle(event.target.value)}
        />
        <TextField
          id="campaign-description"
          label="Description"
          fullWidth
          multiline
          minRows={2}
          margin="normal"
          value={description}
          onChange={event => setDescription(event.target.value)}
        />
        <TextField
          id="campaign-target-level"
          label="Target level"
          required
          select
          fullWidth
          margin="normal"
          value={targetLevel}
          onChange={event => setTargetLevel(event.target.value)}
        >
          {props.levels.map(level => (
            <MenuItem key={level} value={level}>
              {level}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          id="campaign-deadline"
          label="Deadline"
          required
          type="date"
          fullWidth
          margin="normal"
          InputLabelProps={{ shrink: true }}
          value={deadline}
          onChange={event => setDeadline(event.target.value)}
        />
        <Typography variant="subtitle2" style={{ margin: '16px 0 8px' }}>
          Scope (empty: every scored service)
        </Typography>
        <EntityFilters
          options={props.scopeOptions}
          filter={scope}
          onChange={setScope}
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={!complete || saving}
          onClick={create}
        >
          Create campaign
        </Button>
      </DialogActions>
    </Dialog>
  );
}
