import type { Socket } from "node:net";
import type { LiveConnection } from "@emote/api";
import type { WebSocket } from "ws";
import { closeWhenIdle, SubscriptionSlots } from "./connection-limits.ts";
import type { ClientLimits } from "../env.ts";
import { requirePongs } from "../ws/keep-alive.ts";
import { budgetSends, SocketBudget, type BudgetCounters } from "../ws/socket-budget.ts";

/** What the per-client limits refused or cut, for the server's metrics. */
export interface LimitCounters extends BudgetCounters {
  /** Sockets terminated for not answering a ping in time. */
  pongTimeouts: number;
  /** Sockets closed for sitting idle without a subscription. */
  idleCloses: number;
  refused: {
    connectionsPerAddress: number;
    subscriptionsPerConnection: number;
    bodySize: number;
  };
}

export function newLimitCounters(): LimitCounters {
  return {
    framesDropped: 0,
    disconnects: 0,
    pongTimeouts: 0,
    idleCloses: 0,
    refused: { connectionsPerAddress: 0, subscriptionsPerConnection: 0, bodySize: 0 },
  };
}

/**
 * Puts one WebSocket under its limits: every frame through its buffer budget, the
 * pong-only keep-alive, the subscription cap and the idle timeout. Returns the budget
 * (the fan-out writes under it too) and what the live procedures see of the connection.
 * Call it on 'connection' before tRPC's handler is attached, so tRPC sends through the
 * budget from its first frame.
 */
export function guardConnection(
  client: WebSocket,
  limits: ClientLimits["ws"],
  counters: LimitCounters,
): { budget: SocketBudget; live: LiveConnection } {
  const budget = new SocketBudget(client, limits, counters);
  budgetSends(client, budget);
  // ws re-emits no 'drain'; its TCP socket (an internal of the pinned ws 8) does.
  (client as unknown as { _socket?: Socket })._socket?.on("drain", () => budget.drained());
  client.once("close", () => budget.closed());
  requirePongs(client, limits, () => counters.pongTimeouts++);
  const restartIdleClock = closeWhenIdle(
    client,
    limits.idleMs,
    () => slots.active > 0,
    () => counters.idleCloses++,
  );
  const slots = new SubscriptionSlots(limits.maxSubscriptions, restartIdleClock);
  return {
    budget,
    live: {
      maxSubscriptions: limits.maxSubscriptions,
      openSubscription() {
        const release = slots.open();
        if (!release) counters.refused.subscriptionsPerConnection++;
        return release;
      },
      room: () => budget.room(),
    },
  };
}
