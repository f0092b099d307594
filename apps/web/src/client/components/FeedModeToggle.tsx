import type { FeedMode } from "../hooks/use-feed-mode.ts";

const LABELS: Record<FeedMode, string> = { highlights: "Highlights", all: "All moments" };

/** Highlights only, or the original rule's moments too: two toggle buttons, one pressed. */
export function FeedModeToggle({ mode, onChange }: { mode: FeedMode; onChange: (mode: FeedMode) => void }) {
  return (
    <div className="segmented" role="group" aria-label="Moments shown">
      {(Object.keys(LABELS) as FeedMode[]).map((m) => (
        <button
          key={m}
          type="button"
          className="segmented__option"
          aria-pressed={mode === m}
          onClick={() => onChange(m)}
        >
          {LABELS[m]}
        </button>
      ))}
    </div>
  );
}
