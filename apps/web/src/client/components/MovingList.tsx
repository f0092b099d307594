import { useLayoutEffect, useRef, type ReactNode } from "react";

interface Props<T> {
  items: readonly T[];
  keyOf(item: T): string;
  render(item: T, index: number): ReactNode;
  className?: string;
  label: string;
  testId?: string;
}

const MOVE_MS = 450;

function prefersReducedMotion(): boolean {
  return window.matchMedia?.("(prefers-reduced-motion: reduce)").matches ?? false;
}

/**
 * An ordered list whose rows keep their identity by key and glide to their new place when
 * the order changes (FLIP: each row's old offset is measured and animated away), instead
 * of the whole list being redrawn in place. New rows fade in (CSS).
 */
export function MovingList<T>({ items, keyOf, render, className, label, testId }: Props<T>) {
  const rows = useRef(new Map<string, HTMLLIElement>());
  const tops = useRef(new Map<string, number>());
  useLayoutEffect(() => {
    const reduced = prefersReducedMotion();
    const next = new Map<string, number>();
    for (const [key, el] of rows.current) {
      const top = el.offsetTop;
      next.set(key, top);
      const before = tops.current.get(key);
      if (!reduced && before !== undefined && before !== top && typeof el.animate === "function") {
        el.animate([{ transform: `translateY(${before - top}px)` }, { transform: "translateY(0)" }], {
          duration: MOVE_MS,
          easing: "cubic-bezier(0.2, 0.8, 0.2, 1)",
        });
      }
    }
    tops.current = next;
  });
  return (
    <ol className={`moving-list${className ? ` ${className}` : ""}`} aria-label={label} data-testid={testId}>
      {items.map((item, i) => {
        const key = keyOf(item);
        return (
          <li
            key={key}
            data-key={key}
            className="moving-list__row"
            ref={(el) => {
              if (el) rows.current.set(key, el);
              else rows.current.delete(key);
            }}
          >
            {render(item, i)}
          </li>
        );
      })}
    </ol>
  );
}
