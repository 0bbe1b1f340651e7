import { api, artifactUrl, type ProjectPage } from "../api.js";
import { Actions } from "../components/Actions.js";
import { Head } from "../components/Head.js";
import { bytes, clock, seconds } from "../format.js";
import { useLiveData } from "../live.js";
import { href } from "../router.js";
import { family } from "../states.js";

// One project: files, the scan's inventory, config and overrides, the history as a timeline,
// errors with their log lines, the validator's reports as a table, links to product and reports.

function Section({ title, children }: { title: string; children: preact.ComponentChildren }) {
  return (
    <section class="panel">
      <h2>{title}</h2>
      {children}
    </section>
  );
}

function Errors({ page }: { page: ProjectPage }) {
  const p = page.project;
  const phaseErrors = (["scan", "compute", "validate", "complete"] as const).flatMap((ph) => (p.phases[ph]?.error ? [{ phase: ph, e: p.phases[ph].error }] : []));
  const problems = page.logs.filter((l) => l.level === "error" || l.level === "warn" || l.level === "fatal");
  if (!p.lastError && phaseErrors.length === 0 && problems.length === 0) return <p class="quiet">No errors.</p>;
  return (
    <div class="errors">
      {p.lastError && (
        <div class="last-error" data-last-error>
          <strong>{p.lastError.kind}</strong>: {p.lastError.message}
          {p.lastError.file && (
            <div>
              file: <code class="error-file">{p.lastError.file}</code>
            </div>
          )}
          {p.lastError.variable && <div>variable: {p.lastError.variable}</div>}
        </div>
      )}
      {phaseErrors.map(({ phase, e }) => (
        <div key={phase} class="phase-error">
          {phase}: {e?.kind}: {e?.message}
        </div>
      ))}
      {problems.length > 0 && (
        <table class="log">
          <tbody>
            {problems.map((l, i) => (
              <tr key={i} class={`lvl-${l.level}`}>
                <td>{clock(l.time)}</td>
                <td>{l.service}</td>
                <td>{l.level}</td>
                <td>
                  {l.msg}
                  {Object.keys(l.extra).length > 0 && <span class="extra"> {Object.entries(l.extra).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(" ")}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function ProjectView({ group, project }: { group: string; project: string }) {
  const { data, error } = useLiveData(() => api.project(group, project), `${group}/${project}`);
  if (error) return <p class="error">{error}</p>;
  if (!data) return <p class="loading">Loading {group}/{project}…</p>;
  const p = data.project;
  return (
    <section class="project" data-project-page={`${group}/${project}`}>
      <p class="crumbs">
        <a href={href(["board"], { group })}>{group}</a> /
      </p>
      <h1>
        {project} <span class={`state-badge fam-${family(p.state)}`} data-project-state={p.state}>{p.state}</span>
      </h1>
      <p class="quiet">
        {data.durations.map((d) => `${d.phase} ${seconds(d.seconds)}${d.open ? " so far" : ""}${d.attempts > 1 ? ` (${d.attempts} attempts)` : ""}`).join(" · ") || "no phase started yet"}
        {p.acceptedBy ? ` · warnings accepted by ${p.acceptedBy}` : ""}
      </p>
      <Actions group={group} project={project} state={p.state} scope="project" />

      <Section title="Errors">
        <Errors page={data} />
      </Section>

      <Section title="Product and reports">
        {data.artifacts.length === 0 ? (
          <p class="quiet">Nothing written yet.</p>
        ) : (
          <ul class="artifacts">
            {data.artifacts.map((a) => (
              <li key={a.kind}>
                {a.kind}: {a.isFile ? <a href={artifactUrl(group, project, a.kind)}>{a.path}</a> : <code>{a.path}</code>}
              </li>
            ))}
          </ul>
        )}
        {p.validation && (
          <p>
            validation: <strong>{p.validation.status}</strong> — {p.validation.valuesCompared} values compared in {p.validation.filesCompared.length} files
          </p>
        )}
      </Section>

      <Section title={`Data and metadata report (${data.reportRows.length} rows)`}>
        {data.reportRows.length === 0 ? (
          <p class="quiet">{p.outputs.dataReport ? "No difference found." : "Not validated yet."}</p>
        ) : (
          <table class="report">
            <Head columns={["severity", "report", "error", "where", "detail"]} />
            <tbody>
              {data.reportRows.map((r, i) => (
                <tr key={i} class={`sev-${r.severity}`}>
                  <td>{r.severity}</td>
                  <td>{r.report}</td>
                  <td>{r.error}</td>
                  <td>{r.name}</td>
                  <td>{r.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>

      <Section title={`History (${p.history.length} changes)`}>
        <ol class="timeline">
          {p.history.map((h) => (
            <li key={h.seq}>
              <span class="when">{clock(h.at)}</span> <strong>{h.from ?? "(new)"} → {h.to}</strong> {h.reason}
              {h.attempt && h.attempt > 1 ? ` [attempt ${h.attempt}]` : ""} <span class="quiet">({h.event})</span>
            </li>
          ))}
        </ol>
      </Section>

      <Section title={`Files (${p.files.length})`}>
        <ul class="files">
          {p.files.map((f) => (
            <li key={f}>
              <code>{f}</code>
            </li>
          ))}
        </ul>
      </Section>

      <Section title="Inventory">
        {data.inventory ? (
          <div>
            <p>
              concatenated along <strong>{data.inventory.concatDim ?? "(nothing: one file)"}</strong>, length {data.inventory.concatLength}; {data.inventory.attributes} global attributes;{" "}
              {bytes(data.inventory.files.reduce((s, f) => s + f.size, 0))} in {data.inventory.files.length} files
            </p>
            <table class="inventory">
              <Head columns={["variable", "dimensions", "shape", "dtype", "chunks"]} />
              <tbody>
                {data.inventory.variables.map((v) => (
                  <tr key={v.name}>
                    <td>{v.name}</td>
                    <td>{v.dimensions.join(", ")}</td>
                    <td>{v.shape.join("×")}</td>
                    <td>{v.dtype}</td>
                    <td>{v.chunks.join("×")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p class="quiet">Not scanned yet.</p>
        )}
      </Section>

      <Section title="Config and overrides">
        <pre class="config">{JSON.stringify(p.config, null, 2)}</pre>
      </Section>
    </section>
  );
}
