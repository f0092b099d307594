import { useEffect, useRef, useState } from "react";
import { generalError } from "../field-errors.ts";
import { localInputToIso } from "../format.ts";
import { filterMayInclude, type HistoryFilter } from "../history-filter.ts";
import { trpc, type Moment } from "../trpc.ts";
import { HistoryFilters } from "./HistoryFilters.tsx";
import { HistoryTable } from "./HistoryTable.tsx";

const PAGE_SIZE = 20;

interface Props {
  streamerId: string;
  /** The newest moment that arrived live: the view refreshes when it could be among its rows. */
  latestLive: Moment | undefined;
}

/** Stored moments, newest first, filtered, a page at a time; refreshed as live moments arrive. */
export function HistoryView({ streamerId, latestLive }: Props) {
  const [filter, setFilter] = useState<HistoryFilter>({ streamerId, emote: "", kind: "", from: "", to: "" });
  const from = localInputToIso(filter.from);
  const to = localInputToIso(filter.to);
  const history = trpc.moments.history.useInfiniteQuery(
    {
      limit: PAGE_SIZE,
      ...(filter.streamerId && { streamerId: filter.streamerId }),
      ...(filter.emote && { emote: filter.emote }),
      ...(filter.kind && { kind: filter.kind }),
      ...(from && { from }),
      ...(to && { to }),
    },
    { getNextPageParam: (page) => page.nextCursor },
  );
  const { refetch } = history;
  // Only a new live moment refreshes: a new filter loads its own rows.
  const handled = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (!latestLive || handled.current === latestLive.id) return;
    handled.current = latestLive.id;
    if (filterMayInclude(filter, latestLive)) void refetch();
  }, [latestLive, filter, refetch]);
  const moments = history.data?.pages.flatMap((p) => p.items) ?? [];
  const problem = generalError(history.error);

  return (
    <div className="history-view">
      <HistoryFilters initial={filter} onApply={setFilter} error={history.error} />
      {problem ? (
        <p className="form-error" role="alert">
          {problem}
        </p>
      ) : null}
      {history.isPending ? <p className="empty">Loading moments…</p> : null}
      {history.isSuccess && moments.length === 0 ? (
        <p className="empty">No moments match these filters.</p>
      ) : null}
      {moments.length > 0 ? <HistoryTable moments={moments} /> : null}
      <div className="history-view__more">
        {history.hasNextPage ? (
          <button
            type="button"
            className="button"
            onClick={() => void history.fetchNextPage()}
            disabled={history.isFetchingNextPage}
          >
            {history.isFetchingNextPage ? "Loading…" : "Load more"}
          </button>
        ) : moments.length > 0 ? (
          <span className="muted">
            {moments.length} moment{moments.length === 1 ? "" : "s"}, all shown.
          </span>
        ) : null}
      </div>
    </div>
  );
}
