import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import { Alert } from '@material-ui/lab';
import { useApi } from '@backstage/frontend-plugin-api';
import { InfrastructureRequest } from '@paved/plugin-crossplane-common';
import { useState } from 'react';
import { crossplaneApiRef, serverMessageOf } from '../api';

/**
 * Approve and Reject for one request awaiting approval. Rejecting asks for a comment, since it
 * tells the requester why; the server decides who may do either, and its refusal (e.g. "you
 * cannot approve your own request") shows here.
 */
export function ApprovalActions(props: {
  request: InfrastructureRequest;
  onDecided: (request: InfrastructureRequest) => void;
}) {
  const { request, onDecided } = props;
  const api = useApi(crossplaneApiRef);
  const [deciding, setDeciding] = useState(false);
  const [rejecting, setRejecting] = useState(false);
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string>();

  async function decide(call: () => Promise<InfrastructureRequest>) {
    setDeciding(true);
    setError(undefined);
    try {
      const decided = await call();
      setRejecting(false);
      onDecided(decided);
    } catch (e) {
      setError(serverMessageOf(e));
    } finally {
      setDeciding(false);
    }
  }

  const name = request.resource.name;
  return (
    <Box>
      <Box display="flex" style={{ gap: 8 }}>
        <Button
          variant="contained"
          color="primary"
          size="small"
          disabled={deciding}
          onClick={() => decide(() => api.approveRequest(request.id))}
        >
          Approve
        </Button>
        <Button
          variant="outlined"
          size="small"
          disabled={deciding}
          onClick={() => {
            setError(undefined);
            setRejecting(true);
          }}
        >
          Reject
        </Button>
      </Box>
      {error && !rejecting && (
        <Box mt={1}>
          <Alert severity="error">{error}</Alert>
        </Box>
      )}
      <Dialog
        open={rejecting}
        onClose={() => setRejecting(false)}
        aria-labelledby={`reject-${request.id}-title`}
        fullWidth
      >
        <DialogTitle id={`reject-${request.id}-title`}>
          Reject {name}
        </DialogTitle>
        <DialogContent>
          <TextField
            id={`reject-${request.id}-comment`}
            label="Why is it rejected?"
            helperText="Required: the requester sees this comment."
            value={comment}
            onChange={event => setComment(event.target.value)}
            required
            multiline
            minRows={3}
            fullWidth
          />
          {error && (
            <Box mt={2}>
              <Alert severity="error">{error}</Alert>
            </Box>
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setRejecting(false)}>Cancel</Button>
          <Button
            color="primary"
            variant="contained"
            disabled={deciding || !comment.trim()}
            onClick={() =>
              decide(() => api.rejectRequest(request.id, comment.trim()))
            }
          >
            Reject request
          </Button>
        </DialogActions>
      </Dialog>
    </Box>
  );
}
