import { useId, type ReactNode } from "react";

interface Props {
  title: string;
  /** Short context beside the title (the streamer, a count). */
  aside?: ReactNode;
  className?: string;
  children: ReactNode;
}

/** A titled card; its heading names the region for assistive tech. */
export function Panel({ title, aside, className, children }: Props) {
  const headingId = useId();
  return (
    <section className={`panel${className ? ` ${className}` : ""}`} aria-labelledby={headingId}>
      <header className="panel__header">
        <h2 id={headingId}>{title}</h2>
        {aside ? <div className="panel__aside">{aside}</div> : null}
      </header>
      {children}
    </section>
  );
}
