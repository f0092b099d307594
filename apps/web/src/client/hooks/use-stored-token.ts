import { useCallback, useState } from "react";

const STORAGE_KEY = "emote-pulse.token";

function readToken(): string | null {
  try {
    return window.localStorage.getItem(STORAGE_KEY) || null;
  } catch {
    return null; // storage disabled: signed out, and signing in lasts for this page only
  }
}

/** The access token, remembered in this browser's localStorage. */
export function useStoredToken(): [string | null, (token: string | null) => void] {
  const [token, setToken] = useState<string | null>(readToken);
  const update = useCallback((next: string | null) => {
    const value = next?.trim() || null;
    try {
      if (value) window.localStorage.setItem(STORAGE_KEY, value);
      else window.localStorage.removeItem(STORAGE_KEY);
    } catch {
      // keep it in memory only
    }
    setToken(value);
  }, []);
  return [token, update];
}
