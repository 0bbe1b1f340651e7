#!/usr/bin/env bash
# Deletes ALL drover state: the database, the exchange and its queues, the work and complete
# directories. Asks first unless given --force. The sample data and the stack stay.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
force=0; [[ "${1:-}" == --force || "${1:-}" == -f ]] && force=1
work="${DROVER_WORK_DIR:-$DROVER_HOME/work}"; complete="${DROVER_COMPLETE_DIR:-$DROVER_HOME/complete}"
db="${COUCHDB_DB:-drover}"; exchange="${AMQP_EXCHANGE:-drover}"
if [[ $force == 0 ]]; then
  echo "This deletes database '$db', exchange '$exchange' with its queues, $work and $complete."
  read -r -p "Type 'reset' to go on: " answer
  [[ "$answer" == reset ]] || { echo "nothing deleted"; exit 1; }
fi
ensure_build
cd "$DROVER_ROOT"
node --input-type=module -e '
import { loadConfig } from "@drover/shared";
import Nano from "nano";
import amqp from "amqplib";
const c = loadConfig();
try { await Nano(c.couchUrl).db.destroy(c.couchDb); console.log(`deleted database ${c.couchDb}`); }
catch (e) { console.log(`database ${c.couchDb}: ${e.statusCode === 404 ? "already gone" : e.message}`); }
const conn = await amqp.connect(c.amqpUrl);
const ch = await conn.createChannel();
const { consumes, queueName, deadLetterQueue } = await import("@drover/shared");
for (const [svc, sels] of Object.entries(consumes)) for (const s of sels) await ch.deleteQueue(queueName(c.exchange, svc, s));
await ch.deleteQueue(deadLetterQueue(c.exchange));
await ch.deleteExchange(c.exchange); await ch.deleteExchange(`${c.exchange}.dead`);
console.log(`deleted exchange ${c.exchange} and its queues`);
await conn.close();
' || die "could not reach the broker or the database: start the stack first (npm run stack:start)"
rm -rf "$work" "$complete"
echo "deleted $work and $complete"
