import { useContext, useState } from "preact/hooks";
import { api, type ActionResult } from "../api.js";
import { OperatorContext } from "../operator.js";
import { isFailedState, type ProjectState } from "../states.js";

// The operator's buttons: each sends one action to the dashboard, which sends the same requests
// as the CLI to the state-tracker; the answers are shown under the buttons.

type ActionName = "retry" | "accept" | "reject" | "faultlist" | "unfaultlist" | "quarantine" | "release";

const labels: Record<ActionName, string> = {
  retry: "Retry",
  accept: "Accept warnings",
  reject: "Reject",
  faultlist: "Faultlist",
  unfaultlist: "Take back (unfaultlist)",
  quarantine: "Quarantine",
  release: "Release",
};

/** What a person may do with a project (or with a group's projects) in `state`; the state-tracker has the last word. */
export function actionsFor(state: ProjectState): ActionName[] {
  if (isFailedState(state)) return ["retry", "quarantine", "faultlist"];
  if (state === "ValidatedWithWarnings") return ["accept", "reject", "retry", "quarantine", "faultlist"];
  if (state === "Quarantined") return ["release", "faultlist"];
  if (state === "Faultlisted") return ["unfaultlist"];
  if (state === "Registered" || state === "Scanned" || state === "Computed") return ["faultlist", "quarantine"];
  return [];
}

const needsReason = (a: ActionName) => a === "faultlist" || a === "quarantine";
const takesNote = (a: ActionName) => a === "accept" || a === "reject";

export function Actions({ group, project, state, scope }: { group: string; project?: string; state: ProjectState; scope: string }) {
  const op = useContext(OperatorContext);
  const [open, setOpen] = useState<ActionName | undefined>(undefined);
  const [text, setText] = useState("");
  const [phase, setPhase] = useState("");
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ActionResult | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const list = actionsFor(state);
  if (list.length === 0) return null;

  const send = async (action: ActionName) => {
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    const body: Record<string, unknown> = { action, group, ...(project ? { project } : { state }), ...(op.name ? { operator: op.name } : {}) };
    if (needsReason(action)) body["reason"] = text;
    if (takesNote(action)) body["note"] = text;
    if (action === "retry" && phase) body["phase"] = phase;
    try {
      setResult(await api.act(body, op.token));
      setOpen(undefined);
      setText("");
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="actions" data-actions={scope}>
      <div class="buttons">
        {list.map((a) => (
          <button key={a} type="button" class={`action action-${a}`} data-action={a} disabled={busy} onClick={() => (needsReason(a) || takesNote(a) || a === "retry" ? setOpen(open === a ? undefined : a) : void send(a))}>
            {labels[a]}
            {project ? "" : ` every ${state}`}
          </button>
        ))}
      </div>
      {!op.enabled && <p class="hint">This dashboard is read-only (started without DROVER_DASHBOARD_TOKEN): the actions will be refused.</p>}
      {op.enabled && !op.token && <p class="hint">Enter the dashboard's token at the top of the page to act.</p>}
      {open && (
        <form
          class="action-form"
          onSubmit={(e) => {
            e.preventDefault();
            void send(open);
          }}
        >
          {open === "retry" && (
            <label>
              phase{" "}
              <select value={phase} onChange={(e) => setPhase((e.target as HTMLSelectElement).value)} name="phase">
                <option value="">the one that failed</option>
                <option value="scan">scan</option>
                <option value="compute">compute</option>
                <option value="validate">validate</option>
              </select>
            </label>
          )}
          {(needsReason(open) || takesNote(open)) && (
            <label>
              {needsReason(open) ? "reason (required)" : "note"}{" "}
              <input name="text" value={text} required={needsReason(open)} onInput={(e) => setText((e.target as HTMLInputElement).value)} size={40} />
            </label>
          )}
          <button type="submit" class="confirm" disabled={busy}>
            {labels[open]}
            {project ? ` ${project}` : ` every ${state} project of ${group}`}
          </button>
        </form>
      )}
      {error && (
        <p class="action-error" role="alert">
          Refused: {error}
        </p>
      )}
      {result && (
        <div class="action-result" role="status">
          {result.answers.length === 0 ? (
            <p>Nothing to do: no project of {group} is {state}.</p>
          ) : (
            <ul>
              {result.answers.map((a) => (
                <li key={a.project} class={`outcome-${a.outcome}`}>
                  {a.project}: {a.outcome}
                  {a.state ? ` (${a.state})` : ""} — {a.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
