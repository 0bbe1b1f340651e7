import { family, projectStates, type ProjectState } from "../states.js";

// A group's projects per state as one stacked bar, in lifecycle order.

export function StateBar({ counts, total }: { counts: Record<ProjectState, number>; total: number }) {
  if (total === 0) return <div class="bar empty" aria-label="no projects" />;
  return (
    <div class="bar" role="img" aria-label={projectStates.filter((s) => counts[s] > 0).map((s) => `${s} ${counts[s]}`).join(", ")}>
      {projectStates
        .filter((s) => counts[s] > 0)
        .map((s) => (
          <span key={s} class={`seg fam-${family(s)}`} style={{ width: `${(counts[s] / total) * 100}%` }} title={`${s}: ${counts[s]}`} />
        ))}
    </div>
  );
}

export function StateCounts({ counts }: { counts: Record<ProjectState, number> }) {
  return (
    <span class="counts">
      {projectStates
        .filter((s) => counts[s] > 0)
        .map((s) => (
          <span key={s} class={`count fam-${family(s)}-text`}>
            {s} {counts[s]}
          </span>
        ))}
    </span>
  );
}
