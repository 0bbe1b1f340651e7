import { api } from "../api.js";
import { asSeconds, Bars, LineChart } from "../components/svg.js";
import { useLiveData } from "../live.js";

// Where people would rather look than read: projects finished over time, phase durations
// (median and slowest), failures by kind.

export function ChartsPage({ group }: { group: string | undefined }) {
  const { data, error } = useLiveData(() => api.charts(group), group ?? "");
  return (
    <section>
      <h1>Charts {group ? `of ${group}` : "of every group"}</h1>
      {error && <p class="error">{error}</p>}
      {data && (
        <>
          <p class="quiet">{data.projects} projects</p>
          <div class="panel">
            <h2>Projects through validation and completed, over time</h2>
            <LineChart
              series={[
                { name: "validated", cls: "s-validated", points: data.validated },
                { name: "completed", cls: "s-completed", points: data.completed },
              ]}
            />
          </div>
          <div class="panel">
            <h2>Phase durations: median and slowest</h2>
            <Bars
              unit={asSeconds}
              rows={data.durations.flatMap((d) =>
                d.count === 0
                  ? []
                  : [
                      { label: `${d.phase} median (${d.count})`, value: d.median, cls: "b-median" },
                      { label: `${d.phase} slowest`, value: d.slowest, cls: "b-slowest", note: d.slowestProject },
                    ],
              )}
            />
          </div>
          <div class="panel">
            <h2>Failures by kind</h2>
            <Bars unit={(v) => String(v)} rows={data.failures.map((f) => ({ label: f.kind, value: f.count, cls: "b-failed" }))} />
          </div>
        </>
      )}
    </section>
  );
}
