#!/usr/bin/env bash
# The benchmark, in one command:   tools/bench/run.sh [seconds per run, default 15]
#
# Starts MariaDB and Kafka (tools/dev up), a fresh system of optimised
# binaries in a topic namespace and databases of its own, and measures in
# one run on this machine:
#   a. gRPC hello-world QPS (health check) at the same client concurrency;
#   b. the raw MariaDB rate of the order-plus-outbox transaction;
#   c. librdkafka's raw produce rate;
#   d. the system: PlaceOrder throughput and p99 (closed loop); end-to-end
#      throughput at an open-loop rate, with consumer lag; end-to-end p99 at
#      300 orders/s; the same PlaceOrder load through ghz;
#   e. failure isolation: the same load with delivery stopped, then the time
#      delivery takes to catch up.
# Writes .bench/<time>/results.{json,md} and latency.png, and prints the table.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SECONDS_PER_RUN="${1:-15}"
CONCURRENCY="${BENCH_CONCURRENCY:-16}"
SUSTAINED_RATE="${BENCH_SUSTAINED_RATE:-1500}"
cd "${ROOT}"
SHOP_SETUP_GHZ=1 tools/dev setup
tools/dev up
eval "$(tools/dev env)"

echo "[bench] building optimised binaries"
bazel build -c opt //order //product //delivery //settlement //tools/loadgen \
  //tools/bench:baselines //tools/provision:provision_db >/dev/null 2>&1 ||
  bazel build -c opt //order //product //delivery //settlement //tools/loadgen \
    //tools/bench:baselines //tools/provision:provision_db
BIN="$(bazel info -c opt bazel-bin 2>/dev/null)"
STAMP="$(date +%Y%m%d-%H%M%S)"
OUT="${ROOT}/.bench/${STAMP}"
NS="bench_$(date +%s)"
mkdir -p "${OUT}"
declare -A PORTS=([order]=52051 [product]=52052 [delivery]=52053 [settlement]=52054)
declare -A PIDS=()

start_service() { # name
  local service="$1" db="${NS}_$1"
  "${BIN}/tools/provision/provision_db" --host="${SHOP_MYSQL_HOST}" --port="${SHOP_MYSQL_PORT}" \
    --admin_user="${SHOP_MYSQL_USER}" --admin_password="${SHOP_MYSQL_PASSWORD}" \
    --database="${db}" --user="${db:0:30}" --password=bench_pw
  rm -f "${OUT}/${service}.port"
  "${BIN}/${service}/${service}" --grpc_address="127.0.0.1:${PORTS[${service}]}" \
    --brokers="${SHOP_KAFKA_BROKERS}" --topic_namespace="${NS}" \
    --mysql_host="${SHOP_MYSQL_HOST}" --mysql_port="${SHOP_MYSQL_PORT}" \
    --mysql_user="${db:0:30}" --mysql_password=bench_pw --mysql_database="${db}" \
    --port_file="${OUT}/${service}.port" --log_file="${OUT}/${service}.log" &
  PIDS[${service}]=$!
  for ((i = 0; i < 200; i++)); do
    [[ -s "${OUT}/${service}.port" ]] && return
    sleep 0.1
  done
  echo "[bench] ${service} did not start; see ${OUT}/${service}.log" >&2
  exit 1
}
stop_service() { # name
  kill -TERM "${PIDS[$1]}" 2>/dev/null || true
  wait "${PIDS[$1]}" 2>/dev/null || true
}
cleanup() {
  for service in "${!PIDS[@]}"; do stop_service "${service}"; done
}
trap cleanup EXIT

for service in order product delivery settlement; do start_service "${service}"; done
LOADGEN=("${BIN}/tools/loadgen/loadgen" --order=127.0.0.1:52051 --product=127.0.0.1:52052
  --brokers="${SHOP_KAFKA_BROKERS}" --topic_namespace="${NS}")
# Each run starts from an idle system: every group has worked off the last run.
drain() {
  for group in product delivery settlement; do
    "${LOADGEN[@]}" --mode=catchup --wait_for_group="${group}" >/dev/null
  done
}
# CPU seconds each process used during a run: where the time goes.
cpu_of() { # pid
  awk '{print ($14 + $15) / 100}' "/proc/$1/stat" 2>/dev/null || echo 0
}
cpu_snapshot() {
  local snapshot=""
  for service in order product delivery settlement; do
    snapshot+="${service}=$(cpu_of "${PIDS[${service}]}") "
  done
  snapshot+="mariadb=$(cpu_of "$(cat "${ROOT}/.data/mariadb.pid")") "
  snapshot+="kafka=$(cpu_of "$(cat "${ROOT}/.data/kafka.pid")")"
  echo "${snapshot}"
}

echo "[bench] a. gRPC transport limit (health check), ${CONCURRENCY} in flight"
"${LOADGEN[@]}" --mode=health --concurrency="${CONCURRENCY}" --duration="${SECONDS_PER_RUN}" \
  --label=grpc_hello --json_out="${OUT}/a_grpc.json"
echo "[bench] b. storage limit: order-plus-outbox transaction, ${CONCURRENCY} threads"
"${BIN}/tools/bench/baselines" --what=storage --concurrency="${CONCURRENCY}" \
  --seconds="${SECONDS_PER_RUN}" --json_out="${OUT}/b_storage.json"
echo "[bench] c. Kafka limit: raw produce"
"${BIN}/tools/bench/baselines" --what=kafka --json_out="${OUT}/c_kafka.json"

echo "[bench] d1. PlaceOrder, closed loop, ${CONCURRENCY} in flight"
drain
echo "before $(cpu_snapshot)" >"${OUT}/d1_cpu.txt"
"${LOADGEN[@]}" --concurrency="${CONCURRENCY}" --duration="${SECONDS_PER_RUN}" --label=place_closed \
  --json_out="${OUT}/d1_place.json" --timeline_out="${OUT}/d1_timeline.csv"
echo "after $(cpu_snapshot)" >>"${OUT}/d1_cpu.txt"
echo "[bench] d2. end to end at ${SUSTAINED_RATE} orders/s (open loop)"
drain
"${LOADGEN[@]}" --rate="${SUSTAINED_RATE}" --concurrency=64 --duration="${SECONDS_PER_RUN}" \
  --label=e2e_sustained --json_out="${OUT}/d2_sustained.json"
echo "[bench] d3. end to end at 300 orders/s (open loop)"
drain
"${LOADGEN[@]}" --rate=300 --concurrency=64 --duration="${SECONDS_PER_RUN}" --label=e2e_300 \
  --json_out="${OUT}/d3_300.json" --timeline_out="${OUT}/d3_timeline.csv"

echo "[bench] d4. end to end at 100 orders/s (open loop, below this machine's end-to-end capacity)"
drain
"${LOADGEN[@]}" --rate=100 --concurrency=64 --duration="${SECONDS_PER_RUN}" --label=e2e_100 \
  --json_out="${OUT}/d4_100.json" --timeline_out="${OUT}/d4_timeline.csv"

echo "[bench] ghz: the same PlaceOrder load"
drain
"${ROOT}/.cache/bin/ghz" --insecure --proto "${ROOT}/proto/shop/order/v1/order_service.proto" \
  --import-paths "${ROOT}/proto" --call shop.order.v1.OrderService.PlaceOrder \
  -c "${CONCURRENCY}" -z "${SECONDS_PER_RUN}s" --format json -o "${OUT}/ghz.json" \
  -d '{"customer_id":"ghz","idempotency_key":"ghz-{{.UUID}}","currency_code":"EUR",
       "shipping_address":{"recipient":"Ghz","lines":["1 Load St"],"city":"Berlin","country_code":"DE"},
       "lines":[{"product_id":"load-1","quantity":"1","unit_price_minor":"999"},
                {"product_id":"load-2","quantity":"2","unit_price_minor":"999"}]}' \
  127.0.0.1:52051 >/dev/null || echo "[bench] ghz failed" >&2

echo "[bench] e. failure isolation: the same load with delivery stopped"
drain
stop_service delivery
"${LOADGEN[@]}" --concurrency="${CONCURRENCY}" --duration="${SECONDS_PER_RUN}" --e2e=false \
  --label=place_delivery_down --json_out="${OUT}/e_delivery_down.json"
start_service delivery
"${LOADGEN[@]}" --mode=catchup --wait_for_group=delivery --json_out="${OUT}/e_catchup.json"

python3 "${ROOT}/tools/bench/report.py" "${OUT}"
