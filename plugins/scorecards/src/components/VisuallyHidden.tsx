import { ReactNode } from 'react';

const hidden = {
  position: 'absolute',
  width: 1,
  height: 1,
  padding: 0,
  margin: -1,
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'nowrap',
  border: 0,
} as const;

/** Read by screen readers and browser tests, not drawn: a chart's data as a table, say. */
export function VisuallyHidden(props: { children: ReactNode }) {
  return <div style={hidden}>{props.children}</div>;
}
