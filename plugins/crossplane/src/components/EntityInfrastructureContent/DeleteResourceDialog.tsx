import { useApi } from '@backstage/frontend-plugin-api';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import { Alert } from '@material-ui/lab';
import {
  InfrastructureRequest,
  LiveResource,
} from '@paved/plugin-crossplane-common';
import { useRef, useState } from 'react';
import { crossplaneApiRef, serverMessageOf } from '../../api';

/**
 * Asks for a live resource's deletion once the person typed its name again (the server checks
 * it too); `onRequested` gets the delete request, which approval, delivery and audit follow
 * like any other.
 */
export function DeleteResourceDialog(props: {
  entityRef: string;
  resource: LiveResource;
  onClose: () => void;
  onRequested: (request: InfrastructureRequest) => void;
}) {
  const { entityRef, resource, onClose, onRequested } = props;
  const api = useApi(crossplaneApiRef);
  const [typed, setTyped] = useState('');
  const [sending, setSending] = useState(false);
  const [failure, setFailure] = useState<string>();
  // One id per dialog: a double click or a retry sends the same request, never a second one.
  const clientRequestId = useRef(crypto.randomUUID());

  async function requestDeletion() {
    setSending(true);
    setFailure(undefined);
    try {
      onRequested(
        await api.createRequest({
          operation: 'delete',
          offering: resource.offering,
          environment: resource.environment!,
          entityRef,
          name: resource.name,
          ...(resource.namespace ? { namespace: resource.namespace } : {}),
          confirmName: typed,
          clientRequestId: clientRequestId.current,
        }),
      );
    } catch (error) {
      setFailure(serverMessageOf(error));
    } finally {
      setSending(false);
    }
  }

  const titleId = `delete-${resource.cluster}-${resource.name}-title`;
  return (
    <Dialog open onClose={onClose} aria-labelledby={titleId}>
      <DialogTitle id={titleId}>Delete {resource.name}?</DialogTitle>
      <DialogContent>
        <DialogContentText>
          Crossplane deletes the {resource.kind} {resource.name}
          {resource.namespace ? ` in ${resource.namespace}` : ''} on{' '}
          {resource.cluster} and everything it composed, data included. Type its
          name to confirm.
        </DialogContentText>
        <TextField
          id={`${titleId}-confirm`}
          fullWidth
          variant="outlined"
          label="Name of the resource"
          value={typed}
          onChange={event => setTyped(event.target.value)}
          inputProps={{ spellCheck: false, autoCapitalize: 'none' }}
        />
        {failure && (
          <Alert severity="error" style={{ marginTop: 16 }}>
            {failure}
          </Alert>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          color="secondary"
          variant="contained"
          disabled={typed !== resource.name || sending}
          onClick={requestDeletion}
        >
          {sending ? 'Requesting…' : 'Delete'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
