import { api, type Card } from "../api.js";
import { Actions } from "../components/Actions.js";
import { Filters, type FilterValues } from "../components/Filters.js";
import { seconds } from "../format.js";
import { useLiveData } from "../live.js";
import { projectHref } from "../router.js";
import { family, type ProjectState } from "../states.js";

// The lifecycle board: a column per state, its count and first page of cards (the server
// aggregates; cards move as the bus reports state changes).

function CardView({ c }: { c: Card }) {
  return (
    <a class={`card fam-${family(c.state)}-edge`} href={projectHref(c.group, c.project)} data-card={`${c.group}/${c.project}`} data-state={c.state}>
      <div class="card-title">
        <span class="card-group">{c.group}/</span>
        <span class="card-project">{c.project}</span>
      </div>
      <div class="card-phases">
        {c.phases.map((p) => (
          <span key={p.phase} class={p.open ? "open" : ""}>
            {p.phase} {seconds(p.seconds)}
            {p.open ? "…" : ""}
          </span>
        ))}
        {c.attempt > 1 && <span class="attempt">attempt {c.attempt}</span>}
      </div>
      {c.error && (
        <div class="card-error" title={c.error}>
          {c.error}
        </div>
      )}
    </a>
  );
}

const groupActionStates: ProjectState[] = ["ScanFailed", "ComputeFailed", "ValidationFailed", "CompletionFailed", "ValidatedWithWarnings", "Quarantined"];

export function BoardPage({ filters, onFilter }: { filters: FilterValues; onFilter: (f: FilterValues) => void }) {
  const { data, error } = useLiveData(() => api.board(filters), JSON.stringify(filters));
  const shown = data?.columns.filter((c) => c.count > 0 || !filters.state) ?? [];
  return (
    <section>
      <h1>Lifecycle board</h1>
      <Filters values={filters} groups={data?.groups ?? []} onApply={onFilter} />
      {error && <p class="error">{error}</p>}
      <div class="board">
        {shown.map((col) => (
          <div key={col.state} class={`column fam-${family(col.state)}-col ${col.count === 0 ? "column-empty" : ""}`} data-column={col.state}>
            <h2>
              <span>{col.state}</span> <span class="column-count">{col.count}</span>
            </h2>
            {col.cards.map((c) => (
              <CardView key={`${c.group}/${c.project}`} c={c} />
            ))}
            {col.count > col.cards.length && <p class="more">and {col.count - col.cards.length} more (filter to see them)</p>}
            {filters.group && col.count > 0 && groupActionStates.includes(col.state) && <Actions group={filters.group} state={col.state} scope={`column-${col.state}`} />}
          </div>
        ))}
      </div>
    </section>
  );
}
