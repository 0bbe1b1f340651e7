import { useState } from "preact/hooks";
import { projectStates } from "../states.js";

// Filter by group, state and text; applied when submitted (the URL keeps them).

export interface FilterValues {
  group?: string | undefined;
  state?: string | undefined;
  text?: string | undefined;
}

function Choice({ label, value, all, options, onChange }: { label: string; value: string | undefined; all: string; options: readonly string[]; onChange: (v: string | undefined) => void }) {
  return (
    <label>
      {label}{" "}
      <select name={label} value={value ?? ""} onChange={(e) => onChange((e.target as HTMLSelectElement).value || undefined)}>
        <option value="">{all}</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}

export function Filters({ values, groups, onApply }: { values: FilterValues; groups: string[]; onApply: (v: FilterValues) => void }) {
  const [v, setV] = useState<FilterValues>(values);
  return (
    <form
      class="filters"
      onSubmit={(e) => {
        e.preventDefault();
        onApply(v);
      }}
    >
      <Choice label="group" value={v.group} all="every group" options={groups} onChange={(group) => setV({ ...v, group })} />
      <Choice label="state" value={v.state} all="every state" options={projectStates} onChange={(state) => setV({ ...v, state })} />
      <label>
        text <input type="search" placeholder="group or project name" value={v.text ?? ""} onInput={(e) => setV({ ...v, text: (e.target as HTMLInputElement).value || undefined })} />
      </label>
      <button type="submit">Filter</button>
    </form>
  );
}
