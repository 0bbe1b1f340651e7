import { api, type GroupRow } from "../api.js";
import { Filters, type FilterValues } from "../components/Filters.js";
import { Head } from "../components/Head.js";
import { StateBar, StateCounts } from "../components/StateBar.js";
import { ago, seconds } from "../format.js";
import { useLiveData } from "../live.js";
import { href } from "../router.js";

// Every group: its projects per state as a bar, counts, throughput and running time; groups
// needing a person first, then the newest activity.

function GroupLine({ g }: { g: GroupRow }) {
  return (
    <tr data-group={g.name} class={g.needsPerson > 0 ? "needs-person" : ""}>
      <td>
        <a href={href(["board"], { group: g.name })}>{g.name}</a>
        <div class={`group-state gs-${g.state}`}>{g.state}</div>
      </td>
      <td class="bar-cell">
        <StateBar counts={g.counts} total={g.total} />
        <StateCounts counts={g.counts} />
        {g.reasons.length > 0 && g.state !== "Active" && <div class="reasons">{g.reasons.join(" · ")}</div>}
      </td>
      <td class="num">{g.total}</td>
      <td class="num">{g.needsPerson > 0 ? <a href={href(["board"], { group: g.name })} class="attention">{g.needsPerson}</a> : "0"}</td>
      <td class="num">
        {g.done}/{g.total}
      </td>
      <td class="num">{g.perHour}/h</td>
      <td class="num">{seconds(g.runningSeconds)}</td>
      <td class="num">{ago(g.lastActivity)}</td>
    </tr>
  );
}

export function OverviewPage({ filters, onFilter }: { filters: FilterValues; onFilter: (f: FilterValues) => void }) {
  const { data, error } = useLiveData(() => api.overview(filters), JSON.stringify(filters));
  return (
    <section>
      <h1>Overview</h1>
      <Filters values={filters} groups={data?.groups.map((g) => g.name) ?? []} onApply={onFilter} />
      {error && <p class="error">{error}</p>}
      {data && data.groups.length === 0 && <p class="empty-note">No group yet. Launch one: <code>npm run drover -- launch group.csv</code>, or drop a group file into the shepherd's flock directory.</p>}
      {data && data.groups.length > 0 && (
        <table class="groups">
          <Head columns={["group", "projects per state", "projects#", "need a person#", "done#", "throughput#", "running#", "last activity#"]} />
          <tbody>
            {data.groups.map((g) => (
              <GroupLine key={g.name} g={g} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
