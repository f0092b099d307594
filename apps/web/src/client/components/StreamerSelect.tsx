import { useId } from "react";
import { trpc } from "../trpc.ts";

interface Props {
  value: string;
  onChange(streamerId: string): void;
}

/** Picks the streamer the dashboard follows, from the first page of `streamers.list` (plus the current one). */
export function StreamerSelect({ value, onChange }: Props) {
  const id = useId();
  const streamers = trpc.streamers.list.useQuery(undefined, { refetchInterval: 10_000 });
  const options = [...new Set([value, ...(streamers.data?.items ?? [])])].sort();
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
