import { useApi } from '@backstage/frontend-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import { Alert } from '@material-ui/lab';
import {
  CampaignSummary,
  scorecardsCampaignDeletePermission,
} from '@paved/plugin-scorecards-common';
import { useState } from 'react';
import { scorecardsApiRef, serverMessageOf } from '../../api';

/** "End campaign" with a confirmation, for those allowed to delete campaigns (admins). */
export function DeleteCampaignButton(props: {
  campaign: CampaignSummary;
  onDeleted: () => void;
}) {
  const api = useApi(scorecardsApiRef);
  const { allowed } = usePermission({
    permission: scorecardsCampaignDeletePermission,
  });
  const [open, setOpen] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [failure, setFailure] = useState<string>();
  if (!allowed) {
    return null;
  }

  const confirm = async () => {
    setDeleting(true);
    setFailure(undefined);
    try {
      await api.deleteCampaign(props.campaign.id);
      setOpen(false);
      props.onDeleted();
    } catch (error) {
      setFailure(serverMessageOf(error));
    } finally {
      setDeleting(false);
    }
  };

  return (
    <>
      <Button color="secondary" onClick={() => setOpen(true)}>
        End campaign
      </Button>
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        aria-labelledby="end-campaign-title"
      >
        <DialogTitle id="end-campaign-title">
          End {props.campaign.title}?
        </DialogTitle>
        <DialogContent>
          The campaign and its target are removed for everyone; scores stay.
          {failure && <Alert severity="error">{failure}</Alert>}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setOpen(false)}>Cancel</Button>
          <Button color="secondary" disabled={deleting} onClick={confirm}>
            End campaign
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
