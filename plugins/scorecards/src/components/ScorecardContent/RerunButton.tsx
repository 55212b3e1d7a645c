import { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import Button from '@material-ui/core/Button';
import CircularProgress from '@material-ui/core/CircularProgress';
import { Alert } from '@material-ui/lab';
import { EntityScorecard } from '@paved/plugin-scorecards-common';
import { useState } from 'react';
import { scorecardsApiRef, serverMessageOf } from '../../api';

/**
 * "Re-run": scores the entity again now and hands the answer to `onScored`. Shown to everyone;
 * the server decides (owners and admins), and its refusal is shown as it said it.
 */
export function RerunButton(props: {
  entity: CompoundEntityRef;
  onScored: (scorecard: EntityScorecard) => void;
}) {
  const api = useApi(scorecardsApiRef);
  const [running, setRunning] = useState(false);
  const [failure, setFailure] = useState<string>();

  const rerun = async () => {
    setRunning(true);
    setFailure(undefined);
    try {
      props.onScored(await api.rerunEntity(props.entity));
    } catch (error) {
      setFailure(serverMessageOf(error));
    } finally {
      setRunning(false);
    }
  };

  return (
    <>
      <Button
        variant="outlined"
        color="primary"
        disabled={running}
        onClick={rerun}
      >
        Re-run
      </Button>
      {running && (
        <CircularProgress
          size={20}
          style={{ marginLeft: 8 }}
          aria-label="Scoring again"
        />
      )}
      {failure && (
        <Alert severity="error" style={{ marginTop: 8 }}>
          {failure}
        </Alert>
      )}
    </>
  );
}
