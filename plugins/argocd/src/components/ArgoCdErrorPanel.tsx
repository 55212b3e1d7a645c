import { ResponseErrorPanel } from '@backstage/core-components';

/**
 * A failed request, titled with the server's own message (e.g. why access was denied) rather
 * than only "Request failed with 403"; the details hold the full error body.
 */
export function ArgoCdErrorPanel(props: { error: Error }) {
  const { error } = props;
  const serverMessage =
    error.name === 'ResponseError'
      ? (error as Error & { cause?: Error }).cause?.message
      : undefined;
  return (
    <ResponseErrorPanel
      error={error}
      title={serverMessage ? `${error.message}: ${serverMessage}` : undefined}
    />
  );
}
