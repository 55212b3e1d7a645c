import Typography from '@material-ui/core/Typography';
import { FactValue } from '@paved/plugin-scorecards-common';

function formatValue(value: FactValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The facts a check was decided on, by retriever: "githubRepositoryFactRetriever → hasReadme: true". */
export function FactValues(props: {
  facts: Record<string, Record<string, FactValue>>;
}) {
  const retrievers = Object.entries(props.facts);
  if (retrievers.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No facts collected yet
      </Typography>
    );
  }
  return (
    <dl style={{ margin: 0 }}>
      {retrievers.map(([retriever, facts]) => (
        <div key={retriever}>
          <Typography variant="caption" color="textSecondary" component="dt">
            {retriever}
          </Typography>
          {Object.entries(facts).map(([name, value]) => (
            <Typography
              variant="body2"
              component="dd"
              key={name}
              style={{ margin: 0 }}
            >
              {name}: {formatValue(value)}
            </Typography>
          ))}
        </div>
      ))}
    </dl>
  );
}
