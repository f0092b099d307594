import { useCallback, useEffect, useState } from "react";
import { readTokenView, tokenProblem, type SignInProblem } from "../token-claims.ts";

const STORAGE_KEY = "emote-pulse.token";
/** setTimeout's longest delay; a later expiry is checked again after it. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface Session {
  /** The token requests carry, or null for the public (viewer) view. */
  token: string | null;
  /** A streamer token's own streamer, read from the token (the server still checks it). */
  ownStreamerId: string | null;
  /** Why the last sign-in ended, until the next one. */
  problem: SignInProblem | null;
  /** Signs in with `token`; false when the client can already tell it is unusable (see `problem`). */
  signIn(token: string): boolean;
  signOut(): void;
  /** The server refused `token`: drop it (if it is still the one in use) and say why. */
  reject(token: string, reason: string): void;
}

function store(token: string | null): void {
  try {
    if (token) window.localStorage.setItem(STORAGE_KEY, token);
    else window.localStorage.removeItem(STORAGE_KEY);
  } catch {
    // storage disabled: signing in lasts for this page only
  }
}

interface State {
  token: string | null;
  problem: SignInProblem | null;
}

/** The remembered token, unless the client can already tell it is unusable (then it is forgotten). */
function initialState(): State {
  let token: string | null = null;
  try {
    token = window.localStorage.getItem(STORAGE_KEY) || null;
  } catch {
    return { token: null, problem: null };
  }
  const problem = token ? tokenProblem(token, Date.now()) : null;
  if (problem) store(null);
  return { token: problem ? null : token, problem };
}

/**
 * Who the dashboard acts as. A token is remembered in this browser's localStorage; one
 * that has expired (by its `exp`, also while the page is open) or that the server refused
 * is forgotten at once, so the page falls back to the public view and offers to sign in
 * again instead of failing every request with it, now and after a reload.
 */
export function useSession(): Session {
  const [state, setState] = useState<State>(initialState);
  const { token } = state;

  const end = useCallback((problem: SignInProblem | null) => {
    store(null);
    setState({ token: null, problem });
  }, []);
  const signIn = useCallback(
    (next: string) => {
      const value = next.trim();
      const problem = tokenProblem(value, Date.now());
      if (problem) {
        end(problem);
        return false;
      }
      store(value);
      setState({ token: value, problem: null });
      return true;
    },
    [end],
  );
  const signOut = useCallback(() => end(null), [end]);
  const reject = useCallback((refused: string, reason: string) => {
    setState((current) => {
      // A late answer to a token already replaced says nothing about the current one.
      if (current.token !== refused) return current;
      store(null);
      return { token: null, problem: { kind: "refused", reason } };
    });
  }, []);

  const view = token ? readTokenView(token) : null;
  const expiresAt = view?.expiresAt ?? null;
  useEffect(() => {
    if (expiresAt === null) return;
    let timer: ReturnType<typeof setTimeout>;
    const check = () => {
      const left = expiresAt - Date.now();
      if (left <= 0) end({ kind: "expired" });
      else timer = setTimeout(check, Math.min(left, MAX_TIMER_MS));
    };
    check();
    return () => clearTimeout(timer);
  }, [expiresAt, end]);

  return {
    token,
    ownStreamerId: view?.ownStreamerId ?? null,
    problem: state.problem,
    signIn,
    signOut,
    reject,
  };
}
