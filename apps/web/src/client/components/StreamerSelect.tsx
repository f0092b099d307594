import { useId } from "react";
import { trpc } from "../trpc.ts";

interface Props {
  value: string;
  /** The signed-in streamer's own streamer: always offered, even before it has data. */
  own: string | null;
  onChange(streamerId: string): void;
}

/** Picks the streamer the dashboard follows, from the first page of `streamers.list` (plus the current one and one's own). */
export function StreamerSelect({ value, own, onChange }: Props) {
  const id = useId();
  const streamers = trpc.streamers.list.useQuery(undefined, { refetchInterval: 10_000 });
  const options = [...new Set([value, ...(own ? [own] : []), ...(streamers.data?.items ?? [])])].sort();
  return (
    <div className="field field--inline streamer-select">
      <label htmlFor={id}>Streamer</label>
      <select id={id} name="streamer" value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </select>
    </div>
  );
}
