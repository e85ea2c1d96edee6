#!/usr/bin/env bash
# Debezium's MariaDB connector with its outbox event router, in Kafka Connect
# standalone, reading one database's outbox table: the reference relay the
# bench compares ours with (tools/bench/relay_bench --debezium_command).
#
#   tools/debezium/connect.sh start DATABASE   start (or resume) and wait until it streams
#   tools/debezium/connect.sh stop             stop it (its binlog offset is kept)
#   tools/debezium/connect.sh reset            forget the offsets
#
# Events go to "debezium.<the row's topic>"; key and payload bytes pass
# through unchanged. MariaDB needs its binary log: tools/dev binlog on.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DEBEZIUM_VERSION="$(sed -n 's/^DEBEZIUM_VERSION="\([^"]*\)".*/\1/p' "${ROOT}/tools/dev")"
LIBS="${ROOT}/.cache/debezium-${DEBEZIUM_VERSION}/libs"
DIR="${ROOT}/.data/debezium"
PORT="${SHOP_CONNECT_PORT:-18083}"
eval "$("${ROOT}/tools/dev" env)"

status() { curl -s -m 2 "http://127.0.0.1:${PORT}/connectors/outbox/status" 2>/dev/null || true; }

stop() {
  [[ -f "${DIR}/connect.pid" ]] || return 0
  local pid
  pid="$(cat "${DIR}/connect.pid")"
  kill -TERM "${pid}" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "${pid}" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "${pid}" 2>/dev/null || true
  rm -f "${DIR}/connect.pid"
}

start() {
  local database="$1"
  [[ -f "${LIBS}/.complete" ]] || { echo "Debezium is not fetched: tools/dev setup" >&2; exit 1; }
  stop
  mkdir -p "${DIR}"
  cat >"${DIR}/worker.properties" <<PROPS
bootstrap.servers=${SHOP_KAFKA_BROKERS}
key.converter=org.apache.kafka.connect.converters.ByteArrayConverter
value.converter=org.apache.kafka.connect.converters.ByteArrayConverter
offset.storage.file.filename=${DIR}/offsets.dat
offset.flush.interval.ms=1000
listeners=http://127.0.0.1:${PORT}
# The same producer guarantees and batching as our relay's.
producer.acks=all
producer.enable.idempotence=true
producer.linger.ms=1
producer.compression.type=lz4
PROPS
  cat >"${DIR}/outbox.properties" <<PROPS
name=outbox
connector.class=io.debezium.connector.mariadb.MariaDbConnector
tasks.max=1
database.hostname=${SHOP_MYSQL_HOST}
database.port=${SHOP_MYSQL_PORT}
database.user=${SHOP_MYSQL_USER}
database.password=${SHOP_MYSQL_PASSWORD}
database.ssl.mode=disabled
database.server.id=5400
topic.prefix=dbz
database.include.list=${database}
table.include.list=${database}.outbox
snapshot.mode=no_data
include.schema.changes=false
tombstones.on.delete=false
schema.history.internal=io.debezium.storage.file.history.FileSchemaHistory
schema.history.internal.file.filename=${DIR}/schema-history.dat
# Debezium's default waits up to 500 ms for events when its queue is empty;
# tuned for latency, as a user comparing relays would.
poll.interval.ms=5
transforms=outbox
transforms.outbox.type=io.debezium.transforms.outbox.EventRouter
transforms.outbox.table.field.event.id=event_id
transforms.outbox.table.field.event.key=record_key
transforms.outbox.table.field.event.payload=payload
transforms.outbox.table.fields.additional.placement=event_type:header:ce_type
transforms.outbox.route.by.field=topic
transforms.outbox.route.topic.replacement=debezium.\${routedByValue}
PROPS
  nohup java -Xms128m -Xmx512m -Dlog4j.configuration="file:${ROOT}/tools/kafka/log4j.properties" \
    -cp "${LIBS}/*" org.apache.kafka.connect.cli.ConnectStandalone \
    "${DIR}/worker.properties" "${DIR}/outbox.properties" >"${DIR}/connect.log" 2>&1 &
  echo $! >"${DIR}/connect.pid"
  for _ in $(seq 1 600); do
    # Streaming: its task runs and it reads the binlog.
    if status | grep -q '"tasks":\[{[^]]*"state":"RUNNING"' &&
      grep -q "Connected to binlog" "${DIR}/connect.log"; then
      return 0
    fi
    if ! kill -0 "$(cat "${DIR}/connect.pid")" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "Debezium did not start streaming; see ${DIR}/connect.log" >&2
  tail -20 "${DIR}/connect.log" >&2
  exit 1
}

case "${1:-}" in
  start) start "${2:?database}" ;;
  stop) stop ;;
  reset) stop && rm -f "${DIR}/offsets.dat" "${DIR}/schema-history.dat" ;;
  *) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' && exit 2 ;;
esac
