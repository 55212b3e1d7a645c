// The slice of Express's response the rewrite uses.
interface JsonResponse {
  statusCode: number;
  json(body: unknown): unknown;
}

/** What a refused person reads when the plugin that refused them gave no reason. */
export const DENIAL_MESSAGE =
  "Not allowed by Paved's permission policy: only the owners of what you act on, or admins, " +
  'may do this, and the guest may not act at all. Sign in as yourself, or ask the owning team ' +
  'or a platform admin.';

/**
 * Gives permission refusals a message. Backstage's catalog and scaffolder throw
 * `NotAllowedError` without one, which reaches people as an empty 403.
 */
export function createDenialMessages() {
  return (_req: unknown, res: JsonResponse, next: () => void) => {
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      const error = (body as { error?: { name?: string; message?: string } })
        ?.error;
      if (
        res.statusCode === 403 &&
        error?.name === 'NotAllowedError' &&
        !error.message
      ) {
        error.message = DENIAL_MESSAGE;
      }
      return json(body);
    };
    next();
  };
}
