import {
  AppRootElementBlueprint,
  createFrontendModule,
} from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';
import { GuestNotice } from './GuestNotice';

const signInPage = SignInPageBlueprint.make({
  params: {
    loader: async () => (await import('./SignInPage')).SignInPage,
  },
});

const guestNotice = AppRootElementBlueprint.make({
  name: 'guest-notice',
  params: { element: <GuestNotice /> },
});

/** GitHub sign-in (plus the guest where configured), and the guest's reminder to sign in. */
export const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [signInPage, guestNotice],
});
