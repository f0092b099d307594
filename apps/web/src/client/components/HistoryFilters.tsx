import { useId, useState, type FormEvent } from "react";
import { fieldError, type ApiError } from "../field-errors.ts";
import type { HistoryFilter } from "../history-filter.ts";
import { trpc } from "../trpc.ts";
import { FormField } from "./FormField.tsx";

interface Props {
  initial: HistoryFilter;
  onApply(filter: HistoryFilter): void;
  /** The last query's error: its field messages are shown beside the fields. */
  error: ApiError | null;
}

export function HistoryFilters({ initial, onApply, error }: Props) {
  const streamerFieldId = useId();
  const kindFieldId = useId();
  const [draft, setDraft] = useState<HistoryFilter>(initial);
  const streamers = trpc.streamers.list.useQuery();
  const options = [...new Set([initial.streamerId, ...(streamers.data?.items ?? [])])].filter(Boolean).sort();
  const set = (patch: Partial<HistoryFilter>) => setDraft((d) => ({ ...d, ...patch }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply(draft);
  };
  const streamerError = fieldError(error, "streamerId");

  return (
    <form className="filters" onSubmit={submit} noValidate aria-label="History filters">
      <div className={`field${streamerError ? " field--invalid" : ""}`}>
        <label htmlFor={streamerFieldId}>Streamer</label>
        <select
          id={streamerFieldId}
          name="historyStreamer"
          value={draft.streamerId}
          onChange={(e) => set({ streamerId: e.target.value })}
        >
          <option value="">All streamers</option>
          {options.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        {streamerError ? (
          <p className="field__error" role="alert">
            {streamerError}
          </p>
        ) : null}
      </div>
      <FormField
        label="Emote"
        name="emote"
        type="text"
        placeholder="Any"
        autoComplete="off"
        value={draft.emote}
        onValue={(v) => set({ emote: v.trim() })}
        error={fieldError(error, "emote")}
      />
      <div className="field">
        <label htmlFor={kindFieldId}>Detector</label>
        <select
          id={kindFieldId}
          name="historyKind"
          value={draft.kind}
          onChange={(e) =>
            set({ kind: e.target.value === "surge" || e.target.value === "threshold" ? e.target.value : "" })
          }
        >
          <option value="">Any</option>
          <option value="surge">Highlights</option>
          <option value="threshold">Original rule</option>
        </select>
      </div>
      <FormField
        label="From"
        name="from"
        type="datetime-local"
        value={draft.from}
        onValue={(v) => set({ from: v })}
        error={fieldError(error, "from")}
      />
      <FormField
        label="To"
        name="to"
        type="datetime-local"
        value={draft.to}
        onValue={(v) => set({ to: v })}
        error={fieldError(error, "to")}
      />
      <div className="filters__actions">
        <button type="submit" className="button button--primary">
          Apply filters
        </button>
      </div>
    </form>
  );
}
