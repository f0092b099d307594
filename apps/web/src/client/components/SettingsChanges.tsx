import type { ReactNode } from "react";
import { formatDateTime } from "../format.ts";
import { describeChange } from "../settings-changes.ts";
import { SETTINGS_LABELS } from "../settings-validation.ts";
import { trpc } from "../trpc.ts";

/** How many of the latest changes the panel shows. */
const SHOWN = 5;

/** Emote lists are set in the colour emoji font. */
const EMOTE_CLASS = {
  interval: undefined,
  threshold: undefined,
  allowedEmotes: "changes__emotes",
  detectors: undefined,
  surge: undefined,
} as const;

/** The latest changes of a streamer's settings (who, when, what), from the audit log. */
export function SettingsChanges({ streamerId }: { streamerId: string }) {
  const changes = trpc.audit.list.useQuery({ streamerId, limit: SHOWN });
  let body: ReactNode;
  if (changes.error) {
    body = (
      <p className="form-error" role="alert">
        Could not load the recent changes: {changes.error.message}
      </p>
    );
  } else if (!changes.data) {
    body = <p className="empty">Loading recent changes…</p>;
  } else if (changes.data.items.length === 0) {
    body = <p className="empty">No changes recorded yet.</p>;
  } else {
    body = (
      <ol className="changes" aria-label={`Recent settings changes for ${streamerId}, newest first`}>
        {changes.data.items.map((c) => {
          const fields = describeChange(c.before, c.after);
          return (
            <li key={c.id} className="changes__item" data-testid="settings-change">
              <span className="changes__meta">
                <span className="changes__who">{c.actor.sub}</span>
                <span className="muted"> · {c.actor.role} · </span>
                <time dateTime={c.changedAt} title={new Date(c.changedAt).toLocaleString()}>
                  {formatDateTime(c.changedAt)}
                </time>
              </span>
              {fields.length === 0 ? (
                <span className="muted">saved without changes</span>
              ) : (
                <ul className="changes__fields">
                  {fields.map((f) => (
                    <li key={f.field}>
                      {SETTINGS_LABELS[f.field]}: <del className={EMOTE_CLASS[f.field]}>{f.before}</del> →{" "}
                      <ins className={EMOTE_CLASS[f.field]}>{f.after}</ins>
                    </li>
                  ))}
                </ul>
              )}
            </li>
          );
        })}
      </ol>
    );
  }
  return (
    <section className="changes-wrap" aria-label="Recent changes">
      <h3 className="changes__title">Recent changes</h3>
      {body}
    </section>
  );
}
