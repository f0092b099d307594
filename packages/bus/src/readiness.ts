import type { Bus, BusConsumer } from "./port.ts";

/**
 * A readiness check (the shape `Readiness.add` of @emote/observability takes) that passes
 * while `consumer`, of `bus`, is a member of group `groupId`.
 */
export function groupMembershipCheck(bus: Bus, consumer: BusConsumer, groupId: string) {
  let stopped: Error | undefined;
  consumer.onStopped((err) => (stopped ??= err));
  return {
    name: bus.dependency.name,
    label: `${bus.dependency.label} consumer group ${groupId}`,
    check: async () => {
      if (stopped) throw new Error(`the consumer stopped for good: ${stopped.message}`);
      if (!consumer.joined()) throw new Error("not a member of the group (joining, rebalancing or stopped)");
    },
  };
}
