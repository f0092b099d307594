import { DEFAULT_STREAMER_ID } from "@emote/contracts";
import { useCallback } from "react";
import { ApiProvider } from "./api-provider.tsx";
import { ConnectionIndicator } from "./components/ConnectionIndicator.tsx";
import { PlatformPage } from "./components/PlatformPage.tsx";
import { SignIn } from "./components/SignIn.tsx";
import { StreamerDashboard } from "./components/StreamerDashboard.tsx";
import { StreamerSelect } from "./components/StreamerSelect.tsx";
import { useSession } from "./hooks/use-session.ts";
import { useStreamerParam } from "./hooks/use-streamer-param.ts";
import { useViewParam } from "./hooks/use-view-param.ts";
import { readTokenView } from "./token-claims.ts";

export function App() {
  const session = useSession();
  const [chosen, choose] = useStreamerParam();
  const [view, setView] = useViewParam();
  const openStreamer = useCallback(
    (id: string) => {
      choose(id);
      setView("streamer");
    },
    [choose, setView],
  );
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
        <nav className="views" aria-label="Pages">
          <button type="button" aria-pressed={view === "streamer"} onClick={() => setView("streamer")}>
            Streamer
          </button>
          <button type="button" aria-pressed={view === "platform"} onClick={() => setView("platform")}>
            Platform
          </button>
        </nav>
        <div className="topbar__controls">
          {view === "streamer" ? (
            <StreamerSelect value={streamerId} own={session.ownStreamerId} onChange={choose} />
          ) : null}
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
        {view === "platform" ? (
          <PlatformPage onOpenStreamer={openStreamer} />
        ) : (
          <StreamerDashboard key={streamerId} streamerId={streamerId} />
        )}
      </main>
    </ApiProvider>
  );
}
