import { render } from "preact";
import { useContext, useEffect, useState } from "preact/hooks";
import { api } from "./api.js";
import type { FilterValues } from "./components/Filters.js";
import { Live, useEventStream } from "./live.js";
import { OperatorContext, useOperatorState } from "./operator.js";
import { BoardPage } from "./pages/Board.js";
import { BusPage } from "./pages/Bus.js";
import { ChartsPage } from "./pages/Charts.js";
import { OverviewPage } from "./pages/Overview.js";
import { ProjectView } from "./pages/Project.js";
import { href, useRoute } from "./router.js";

// The dashboard's page: a header (navigation, live status, the operator's token) and the view the
// URL's fragment names.

function TokenForm() {
  const op = useContext(OperatorContext);
  const [token, setToken] = useState(op.token);
  const [name, setName] = useState(op.name);
  if (!op.enabled) return <span class="readonly">read-only</span>;
  return (
    <form
      class="token"
      onSubmit={(e) => {
        e.preventDefault();
        op.set(token.trim(), name.trim());
      }}
    >
      <input type="password" name="token" placeholder="token" value={token} onInput={(e) => setToken((e.target as HTMLInputElement).value)} autocomplete="off" />
      <input name="operator" placeholder="your name" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} size={10} />
      <button type="submit">{op.token ? "Update" : "Use"}</button>
      {op.token && <span class="token-set">token set</span>}
    </form>
  );
}

function filtersOf(params: URLSearchParams): FilterValues {
  return { group: params.get("group") ?? undefined, state: params.get("state") ?? undefined, text: params.get("text") ?? undefined };
}

function App() {
  const live = useEventStream();
  const route = useRoute();
  const [enabled, setEnabled] = useState(false);
  useEffect(() => {
    api.session().then((s) => setEnabled(s.actions), () => setEnabled(false));
  }, []);
  const operator = useOperatorState(enabled);
  const [view = "overview", a, b] = route.path;
  const filters = filtersOf(route.params);
  const go = (path: string[]) => (f: FilterValues) => (location.hash = href(path, { group: f.group, state: f.state, text: f.text }));
  const tab = (name: string, label: string) => (
    <a href={href([name])} class={view === name ? "current" : ""}>
      {label}
    </a>
  );
  return (
    <Live.Provider value={live}>
      <OperatorContext.Provider value={operator}>
        <header>
          <strong class="brand">drover</strong>
          <nav>
            {tab("overview", "Overview")}
            {tab("board", "Board")}
            {tab("charts", "Charts")}
            {tab("bus", "Bus")}
          </nav>
          <span class={`live ${live.connected ? "on" : "off"}`} data-live={live.connected ? "on" : "off"} title={live.lastBatch ? `last change ${live.lastBatch.at}` : ""}>
            {live.connected ? "● live" : "○ reconnecting"}
          </span>
          <TokenForm />
        </header>
        <main>
          {view === "overview" && <OverviewPage filters={filters} onFilter={go(["overview"])} />}
          {view === "board" && <BoardPage filters={filters} onFilter={go(["board"])} />}
          {view === "project" && a && b && <ProjectView group={a} project={b} />}
          {view === "charts" && <ChartsPage group={filters.group} />}
          {view === "bus" && <BusPage />}
        </main>
      </OperatorContext.Provider>
    </Live.Provider>
  );
}

const root = document.getElementById("app");
if (root) {
  root.textContent = "";
  render(<App />, root);
}
