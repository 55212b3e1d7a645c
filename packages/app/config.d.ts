export interface Config {
  paved?: {
    signIn?: {
      /**
       * Sign-in choices on the sign-in page, in order: `github` (Backstage's GitHub provider)
       * and `guest` (read-only look around, development only). Defaults to `[github]`.
       * @visibility frontend
       */
      providers?: Array<'github' | 'guest'>;
    };
  };
}
