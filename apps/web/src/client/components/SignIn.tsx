import { useId, useState, type FormEvent } from "react";
import { generalError } from "../field-errors.ts";
import { trpc } from "../trpc.ts";
import { RoleBadge } from "./RoleBadge.tsx";

interface Props {
  token: string | null;
  onToken(token: string | null): void;
}

/**
 * Takes an access token (from `npm run token`), shows the role the server says it grants,
 * and remembers it in this browser.
 */
export function SignIn({ token, onToken }: Props) {
  const inputId = useId();
  const [draft, setDraft] = useState("");
  const whoami = trpc.auth.whoami.useQuery();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!draft.trim()) return;
    onToken(draft);
    setDraft("");
  };

  const problem = token ? generalError(whoami.error) : null;

  return (
    <div className="sign-in">
      <div className="sign-in__identity" aria-live="polite">
        <span className="sign-in__label">Role</span>
        {whoami.data ? <RoleBadge identity={whoami.data} /> : null}
        {whoami.isPending ? <span className="muted">checking…</span> : null}
        {problem ? (
          <span className="sign-in__error" role="alert">
            {problem}
          </span>
        ) : null}
      </div>
      {token ? (
        <button type="button" className="button button--quiet" onClick={() => onToken(null)}>
          Sign out
        </button>
      ) : (
        <form className="sign-in__form" onSubmit={submit}>
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
            Sign in
          </button>
        </form>
      )}
    </div>
  );
}
