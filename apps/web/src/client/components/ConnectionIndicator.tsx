import { useConnection } from "../api-provider.tsx";
import { CONNECTION_LABELS } from "../connection-status.ts";

/** Live / connecting / reconnecting, from the WebSocket that carries the subscriptions. */
export function ConnectionIndicator() {
  const { status, error } = useConnection();
  return (
    <div
      className={`connection connection--${status}`}
      role="status"
      aria-live="polite"
      aria-label={`Connection: ${CONNECTION_LABELS[status]}`}
      title={error ?? undefined}
      data-status={status}
    >
      <span className="connection__dot" aria-hidden="true" />
      {CONNECTION_LABELS[status]}
    </div>
  );
}
