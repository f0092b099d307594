import type { Identity } from "../trpc.ts";

export function RoleBadge({ identity }: { identity: Identity }) {
  return (
    <span className={`role role--${identity.role}`} data-testid="role">
      {identity.role}
      {identity.streamerId ? <span className="role__streamer"> · {identity.streamerId}</span> : null}
    </span>
  );
}
