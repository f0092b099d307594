import { useEffect, useRef, useState } from "react";
import { reactionNotice } from "../reaction-notice.ts";
import { trpc } from "../trpc.ts";

interface Props {
  streamerId: string;
  /** The streamer's allowed emotes (undefined while they load). */
  emotes: readonly string[] | undefined;
  /** A reaction the server took: it floats up over the feed. */
  onSent(emote: string): void;
}

/**
 * One button per allowed emote: a click (or Enter / Space) sends the reaction. When the
 * server refuses one (too fast, or busy) a polite status line says so and clears itself.
 */
export function ReactionBar({ streamerId, emotes, onSent }: Props) {
  const send = trpc.emotes.send.useMutation();
  const [notice, setNotice] = useState<string | null>(null);
  const clear = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(clear.current), []);

  const react = (emote: string) => {
    send.mutate(
      { streamerId, emote },
      {
        onSuccess: () => onSent(emote),
        onError: (err) => {
          const { text, clearAfterMs } = reactionNotice(err);
          setNotice(text);
          clearTimeout(clear.current);
          clear.current = setTimeout(() => setNotice(null), clearAfterMs);
        },
      },
    );
  };

  return (
    <div className="reactions">
      <div className="reactions__buttons" role="group" aria-label={`React to ${streamerId}`}>
        {(emotes ?? []).map((emote) => (
          <button
            key={emote}
            type="button"
            className="reaction"
            aria-label={`React with ${emote}`}
            data-testid="reaction"
            onClick={() => react(emote)}
          >
            {emote}
          </button>
        ))}
      </div>
      <p className="reactions__notice" role="status" aria-live="polite" data-testid="reaction-notice">
        {notice}
      </p>
    </div>
  );
}
