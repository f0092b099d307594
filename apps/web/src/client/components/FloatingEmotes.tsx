export interface Floater {
  key: string;
  emote: string;
  /** Horizontal start, percent of the stage's width. */
  left: number;
  /** Seconds to the top; varied a little so bursts do not move in lockstep. */
  duration: number;
}

let serial = 0;

export function makeFloater(emote: string): Floater {
  serial += 1;
  return {
    key: `${serial}`,
    emote,
    left: 8 + Math.random() * 84,
    duration: 2.4 + Math.random() * 1.2,
  };
}

interface Props {
  floaters: Floater[];
  onDone(key: string): void;
}

/** Each moment's emote floats up over the feed and fades out (decoration: hidden from screen readers). */
export function FloatingEmotes({ floaters, onDone }: Props) {
  return (
    <div className="floaters" aria-hidden="true">
      {floaters.map((f) => (
        <span
          key={f.key}
          className="floater"
          style={{ left: `${f.left}%`, animationDuration: `${f.duration}s` }}
          onAnimationEnd={() => onDone(f.key)}
        >
          {f.emote}
        </span>
      ))}
    </div>
  );
}
