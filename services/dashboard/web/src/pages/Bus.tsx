import { api } from "../api.js";
import { Head } from "../components/Head.js";
import { useLiveData } from "../live.js";

// The bus: every queue's depth and consumers (and rates with the management API), a warning where
// messages wait with nobody consuming, the dead-letter queue's messages (peeked, kept), and the
// parked messages the state-tracker took off that queue and keeps for operators.

type Cell = string | { code: string };

const where = (m: { group?: string; project?: string }) => (m.group ? `${m.group}/${m.project ?? ""}` : "-");

/** Messages as a table (nothing when there are none): text cells, and code cells for ids and bodies. */
function MessageTable({ name, columns, rows }: { name: string; columns: string[]; rows: { key: string | number; cells: Cell[] }[] }) {
  if (rows.length === 0) return null;
  return (
    <table class={name}>
      <Head columns={columns} />
      <tbody>
        {rows.map((r) => (
          <tr key={r.key}>
            {r.cells.map((c, i) => (
              <td key={i}>{typeof c === "string" ? c : <code>{c.code}</code>}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function BusPage() {
  const { data, error, reload } = useLiveData(() => api.bus(), "bus");
  const warnings = data?.queues.filter((q) => q.warning) ?? [];
  return (
    <section>
      <h1>
        The bus <button type="button" onClick={reload}>Refresh</button>
      </h1>
      {error && <p class="error">{error}</p>}
      {data && (
        <>
          <p class="quiet">
            from {data.source === "management" ? "RabbitMQ's management API" : "AMQP queue checks (set RABBITMQ_MANAGEMENT_URL for rates)"} at {data.at}
          </p>
          {warnings.map((q) => (
            <p key={q.name} class="warning-banner" role="alert">
              ⚠ {q.name}: {q.warning}
            </p>
          ))}
          <table class="queues">
            <Head columns={["queue", "consumer", "messages#", "consumers#", data.source === "management" && "in/s#", data.source === "management" && "out/s#"]} />
            <tbody>
              {data.queues.map((q) => (
                <tr key={q.name} class={q.warning ? "queue-warning" : ""}>
                  <td>{q.selector}</td>
                  <td>{q.service}</td>
                  <td class="num">{q.messages}</td>
                  <td class="num">{q.consumers}</td>
                  {data.source === "management" && <td class="num">{q.publishRate?.toFixed(1) ?? "-"}</td>}
                  {data.source === "management" && <td class="num">{q.deliverRate?.toFixed(1) ?? "-"}</td>}
                </tr>
              ))}
            </tbody>
          </table>
          <h2>
            Dead letters: {data.deadLetters.messages} in {data.deadLetters.name}
          </h2>
          <MessageTable
            name="dead"
            columns={["type", "group/project", "why", "message"]}
            rows={data.deadLetters.peeked.map((m, i) => ({ key: i, cells: [m.type, where(m), m.reason, { code: m.preview }] }))}
          />
          <h2>
            Parked messages: {data.parked.count}
            {data.parked.more ? "+" : ""}
          </h2>
          <p class="quiet">
            Kept by the state-tracker. <code>drover deadletters list</code> shows them all; <code>drover deadletters replay ID</code> sends one again, <code>drover deadletters drop ID</code> forgets it.
          </p>
          <MessageTable
            name="parked"
            columns={["when", "selector", "group/project", "why", "id", "message"]}
            rows={data.parked.rows.map((m) => ({ key: m.id, cells: [m.at, m.selector, where(m), m.reason, { code: m.id }, { code: m.preview }] }))}
          />
        </>
      )}
    </section>
  );
}
