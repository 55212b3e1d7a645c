import {
  SignInPage as CoreSignInPage,
  SignInProviderConfig,
} from '@backstage/core-components';
import {
  configApiRef,
  githubAuthApiRef,
  useApi,
} from '@backstage/core-plugin-api';
import { SignInPageProps } from '@backstage/plugin-app-react';

const github: SignInProviderConfig = {
  id: 'github-auth-provider',
  title: 'GitHub',
  message: 'Sign in with your GitHub account',
  apiRef: githubAuthApiRef,
};

/**
 * GitHub sign-in, as in production, plus the guest where `paved.signIn.providers` lists it (the
 * embedded default only: the guest may look around but never act).
 */
export function SignInPage(props: SignInPageProps) {
  const config = useApi(configApiRef);
  const enabled = config.getOptionalStringArray('paved.signIn.providers') ?? [
    'github',
  ];
  const providers = enabled.flatMap(
    (id): Array<SignInProviderConfig | 'guest'> => {
      if (id === 'github') return [github];
      if (id === 'guest') return ['guest'];
      return [];
    },
  );
  return (
    <CoreSignInPage
      {...props}
      title="Sign in to Paved"
      align="center"
      providers={providers}
    />
  );
}
