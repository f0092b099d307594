import { canReadSettingsChanges, whyReadOnly } from "../permissions.ts";
import { trpc } from "../trpc.ts";
import { SettingsChanges } from "./SettingsChanges.tsx";
import { SettingsForm } from "./SettingsForm.tsx";

/**
 * The streamer's analysis settings, editable when the caller's role allows it, and their
 * latest changes for a caller who may read the audit log.
 */
export function SettingsPanel({ streamerId }: { streamerId: string }) {
  const settings = trpc.settings.get.useQuery({ streamerId });
  const whoami = trpc.auth.whoami.useQuery();
  if (settings.error) {
    return (
      <p className="form-error" role="alert">
        Could not load the settings: {settings.error.message}
      </p>
    );
  }
  if (!settings.data) return <p className="empty">Loading settings…</p>;
  return (
    <>
      <SettingsForm
        key={streamerId}
        streamerId={streamerId}
        settings={settings.data}
        readOnly={
          whoami.error
            ? "Could not check what your token allows, so the settings are read-only for now."
            : whyReadOnly(whoami.data, streamerId)
        }
      />
      {!whoami.error && canReadSettingsChanges(whoami.data, streamerId) ? (
        <SettingsChanges streamerId={streamerId} />
      ) : null}
    </>
  );
}
