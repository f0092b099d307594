import type { Identity } from "./trpc.ts";

/** Mirrors the server's rule (it decides; this only explains it up front). */
export function canEditSettings(identity: Identity | undefined, streamerId: string): boolean {
  if (!identity) return false;
  if (identity.role === "admin" || identity.role === "moderator") return true;
  return identity.role === "streamer" && identity.streamerId === streamerId;
}

/** Why the settings are read-only for this caller, or null when they may edit. */
export function whyReadOnly(identity: Identity | undefined, streamerId: string): string | null {
  if (canEditSettings(identity, streamerId)) return null;
  if (!identity) return "Checking what your token allows…";
  if (identity.role === "streamer")
    return `Your token is for streamer “${identity.streamerId ?? "?"}”: it can change only that streamer's settings.`;
  return "Viewers can read these settings. Sign in with a streamer, moderator or admin token to change them.";
}

/** Mirrors audit.list's rule: moderators and admins see every streamer's changes, a streamer its own. */
export function canReadSettingsChanges(identity: Identity | undefined, streamerId: string): boolean {
  return canEditSettings(identity, streamerId);
}
