import { api } from "../api.js";
import { Head } from "../components/Head.js";
import { useLiveData } from "../live.js";

// The bus: every queue's depth and consumers (and rates with the management API), a warning where
// messages wait with nobody consuming, the dead-letter queue's messages (peeked, kept), and the
// parked messages the state-tracker took off that queue and keeps for operators.

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
          {data.deadLetters.peeked.length > 0 && (
            <table class="dead">
              <Head columns={["type", "group/project", "why", "message"]} />
              <tbody>
                {data.deadLetters.peeked.map((m, i) => (
                  <tr key={i}>
                    <td>{m.type}</td>
                    <td>{m.group ? `${m.group}/${m.project ?? ""}` : "-"}</td>
                    <td>{m.reason}</td>
                    <td>
                      <code>{m.preview}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h2>
            Parked messages: {data.parked.count}
            {data.parked.more ? "+" : ""}
          </h2>
          <p class="quiet">
            Kept by the state-tracker. <code>drover deadletters list</code> shows them all; <code>drover deadletters replay ID</code> sends one again, <code>drover deadletters drop ID</code> forgets it.
          </p>
          {data.parked.rows.length > 0 && (
            <table class="parked">
              <Head columns={["when", "selector", "group/project", "why", "id", "message"]} />
              <tbody>
                {data.parked.rows.map((m) => (
                  <tr key={m.id}>
                    <td>{m.at}</td>
                    <td>{m.selector}</td>
                    <td>{m.group ? `${m.group}/${m.project ?? ""}` : "-"}</td>
                    <td>{m.reason}</td>
                    <td>
                      <code>{m.id}</code>
                    </td>
                    <td>
                      <code>{m.preview}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
