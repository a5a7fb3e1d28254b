/**
 * Shown after a write was refused with 401: lets the researcher enter the server's API_TOKEN once, kept in
 * this browser's local storage, and retry.
 */
import { useState } from 'react';
import { getApiToken, setApiToken } from '../api-client.ts';

export function TokenPrompt({ onSaved }: { onSaved: () => void }) {
  const [token, setToken] = useState(() => getApiToken() ?? '');
  const save = (): void => {
    setApiToken(token.trim());
    onSaved();
  };
  return (
    <div className="token-prompt">
      <label>
        API token
        <input type="password" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} data-testid="api-token-input" />
      </label>
      <button type="button" onClick={save} disabled={!token.trim()}>
        Save token and retry
      </button>
    </div>
  );
}
