import { useId, useState, type FormEvent } from "react";
import { describeSignInProblem, type SignInProblem } from "../token-claims.ts";
import { trpc } from "../trpc.ts";
import { RoleBadge } from "./RoleBadge.tsx";

interface Props {
  token: string | null;
  /** Why the last sign-in ended (expired or refused), shown until the next one. */
  problem: SignInProblem | null;
  onSignIn(token: string): void;
  onSignOut(): void;
}

/**
 * Takes an access token (from `npm run token`), shows the role the server says it grants,
 * and remembers it in this browser. After a sign-in ended on its own, says why and offers
 * to sign in again.
 */
export function SignIn({ token, problem, onSignIn, onSignOut }: Props) {
  const inputId = useId();
  const [draft, setDraft] = useState("");
  const whoami = trpc.auth.whoami.useQuery();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!draft.trim()) return;
    onSignIn(draft);
    setDraft("");
  };

  return (
    <div className="sign-in">
      <div className="sign-in__identity" aria-live="polite">
        <span className="sign-in__label">Role</span>
        {whoami.data ? <RoleBadge identity={whoami.data} /> : null}
        {whoami.isPending ? <span className="muted">checking…</span> : null}
      </div>
      {token ? (
        <button type="button" className="button button--quiet" onClick={onSignOut}>
          Sign out
        </button>
      ) : (
        <form className="sign-in__form" onSubmit={submit} aria-label="Sign in">
          {problem ? (
            <p className="sign-in__error" role="alert" data-testid="sign-in-problem">
              {describeSignInProblem(problem)}
            </p>
          ) : null}
          <label htmlFor={inputId} className="visually-hidden">
            Access token
          </label>
          <input
            id={inputId}
            name="token"
            type="password"
            autoComplete="off"
            spellCheck={false}
            placeholder="Paste an access token"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
          />
          <button type="submit" className="button" disabled={!draft.trim()}>
            {problem ? "Sign in again" : "Sign in"}
          </button>
        </form>
      )}
    </div>
  );
}
