/**
 * Shows an API error under a query box. For query syntax errors the API gives a character position, which is
 * drawn as a caret under the offending character so the researcher sees where the query went wrong.
 */
import type { ApiError } from '../api-client.ts';

export interface QueryErrorProps {
  error: ApiError;
  /** The query text the error refers to; without it only the message is shown. */
  query?: string | undefined;
  /** Which input the error is about when a page has several (e.g. "Series 2"). */
  context?: string | undefined;
}

export function QueryError({ error, query, context }: QueryErrorProps) {
  const position = error.position;
  const showCaret = query !== undefined && position !== undefined && position >= 0 && position <= query.length;
  return (
    <div className="error" role="alert" data-testid="query-error">
      <p className="error-message">
        {context ? `${context}: ` : null}
        {error.message}
        {showCaret ? ` (at character ${position + 1})` : null}
      </p>
      {showCaret ? (
        <pre className="error-pointer" aria-hidden="true" data-testid="query-error-pointer">
          {query}
          {'\n'}
          {' '.repeat(position)}^
        </pre>
      ) : null}
    </div>
  );
}

/** A plain error line for non-query failures (network, 404, 500). */
export function ErrorLine({ error }: { error: ApiError }) {
  return (
    <p className="error" role="alert">
      {error.message}
    </p>
  );
}
