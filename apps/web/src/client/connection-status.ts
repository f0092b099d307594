/** What the connection indicator shows. */
export type ConnectionStatus = "connecting" | "live" | "reconnecting";

/** The part of tRPC's WebSocket connection state that the indicator reads. */
export interface SocketState {
  state: "idle" | "connecting" | "pending";
  error: { message: string } | null;
}

/**
 * tRPC calls an open socket "pending" (ready for requests); before the first open it is
 * "connecting", and after a drop it is "connecting" (or "idle") again — a reconnect.
 */
export function connectionStatus(socket: SocketState, wasLive: boolean): ConnectionStatus {
  if (socket.state === "pending") return "live";
  return wasLive ? "reconnecting" : "connecting";
}

export const CONNECTION_LABELS: Record<ConnectionStatus, string> = {
  connecting: "Connecting",
  live: "Live",
  reconnecting: "Reconnecting",
};
