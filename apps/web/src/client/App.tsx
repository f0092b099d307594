import { DEFAULT_STREAMER_ID } from "@emote/contracts";
import { useCallback } from "react";
import { ApiProvider } from "./api-provider.tsx";
import { ConnectionIndicator } from "./components/ConnectionIndicator.tsx";
import { SignIn } from "./components/SignIn.tsx";
import { StreamerDashboard } from "./components/StreamerDashboard.tsx";
import { StreamerSelect } from "./components/StreamerSelect.tsx";
import { useSession } from "./hooks/use-session.ts";
import { useStreamerParam } from "./hooks/use-streamer-param.ts";
import { readTokenView } from "./token-claims.ts";

export function App() {
  const session = useSession();
  const [chosen, choose] = useStreamerParam();
  // A streamer lands on their own dashboard: when none was picked, and when signing in.
  const streamerId = chosen ?? session.ownStreamerId ?? DEFAULT_STREAMER_ID;
  const { signIn } = session;
  const signInAndLand = useCallback(
    (token: string) => {
      if (!signIn(token)) return;
      const own = readTokenView(token.trim())?.ownStreamerId;
      if (own) choose(own);
    },
    [signIn, choose],
  );
  return (
    <ApiProvider token={session.token} onTokenRefused={session.reject}>
      <header className="topbar">
        <div className="brand">
          <span className="brand__mark" aria-hidden="true">
            🔥
          </span>
          <h1>Emote Pulse</h1>
        </div>
        <div className="topbar__controls">
          <StreamerSelect value={streamerId} own={session.ownStreamerId} onChange={choose} />
          <ConnectionIndicator />
          <SignIn
            token={session.token}
            problem={session.problem}
            onSignIn={signInAndLand}
            onSignOut={session.signOut}
          />
        </div>
      </header>
      <main>
        <StreamerDashboard key={streamerId} streamerId={streamerId} />
      </main>
    </ApiProvider>
  );
}
