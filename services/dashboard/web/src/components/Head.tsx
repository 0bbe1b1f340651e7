// A table's header row from its column names; a name ending in "#" is a right-aligned number column.

export function Head({ columns }: { columns: (string | false)[] }) {
  return (
    <thead>
      <tr>
        {columns.filter((c): c is string => c !== false).map((c) =>
          c.endsWith("#") ? (
            <th key={c} class="num">
              {c.slice(0, -1)}
            </th>
          ) : (
            <th key={c}>{c}</th>
          ),
        )}
      </tr>
    </thead>
  );
}
