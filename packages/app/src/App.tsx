import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import signalsPlugin from '@backstage/plugin-signals/alpha';
import argoCdPlugin from '@paved/plugin-argocd';
import crossplanePlugin from '@paved/plugin-crossplane';
import scorecardsPlugin from '@paved/plugin-scorecards';
import { navModule } from './modules/nav';
import { homeModule } from './modules/home';
import { signInModule } from './modules/signIn';

export default createApp({
  // Signals is listed so the Argo CD card's and the infrastructure requests' live updates never
  // depend on package discovery.
  features: [
    catalogPlugin,
    signalsPlugin,
    argoCdPlugin,
    crossplanePlugin,
    scorecardsPlugin,
    navModule,
    homeModule,
    signInModule,
  ],
});
