import { ResponseErrorPanel } from '@backstage/core-components';
import { serverMessageOf } from '../api';

/**
 * A failed call, titled with the server's own message (e.g. why access was denied) rather than
 * only "Request failed with 403"; the details hold the full error body.
 */
export function ScorecardsErrorPanel(props: { error: Error }) {
  const { error } = props;
  const serverMessage = serverMessageOf(error);
  return (
    <ResponseErrorPanel
      error={error}
      title={
        serverMessage !== error.message
          ? `${error.message}: ${serverMessage}`
          : undefined
      }
    />
  );
}
