import { useState } from 'react';
import { download } from '../api/client';
import { ErrorNote } from './ui';

/** A button that downloads an API file with the session's credential (see fetchFile). */
export function DownloadButton({ path, name, label }: { path: string; name: string; label: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function run() {
    setBusy(true);
    setError(null);
    try {
      await download(path, name);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <button type="button" className="ghost" disabled={busy} onClick={run} data-download={name}>
        ⤓ {label}
      </button>
      {error ? <ErrorNote error={error} /> : null}
    </>
  );
}
