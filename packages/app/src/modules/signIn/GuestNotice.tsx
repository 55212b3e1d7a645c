import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import { Button, Paper, Typography, makeStyles } from '@material-ui/core';
import { useEffect, useState } from 'react';

// The guest provider's default identity; Paved configures no other.
const GUEST = 'user:development/guest';

const useStyles = makeStyles(theme => ({
  notice: {
    position: 'fixed',
    bottom: theme.spacing(2),
    left: '50%',
    transform: 'translateX(-50%)',
    zIndex: theme.zIndex.snackbar,
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(2),
    padding: theme.spacing(1.5, 2),
    maxWidth: 720,
  },
}));

/**
 * Tells the guest, on every page, that it can look but not act — before it tries to run a
 * template or change the catalog and meets a refusal — and offers the way to sign in.
 */
export function GuestNotice() {
  const classes = useStyles();
  const identityApi = useApi(identityApiRef);
  const [isGuest, setIsGuest] = useState(false);
  useEffect(() => {
    identityApi.getBackstageIdentity().then(
      identity => setIsGuest(identity.userEntityRef === GUEST),
      () => setIsGuest(false),
    );
  }, [identityApi]);

  if (!isGuest) return null;
  return (
    <Paper className={classes.notice} elevation={6} role="status">
      <Typography variant="body2">
        You are looking around as the guest: you can read everything, but to run
        templates, request infrastructure or change the catalog, sign in with
        GitHub.
      </Typography>
      <Button
        color="primary"
        variant="contained"
        onClick={() => identityApi.signOut()}
      >
        Sign in
      </Button>
    </Paper>
  );
}
