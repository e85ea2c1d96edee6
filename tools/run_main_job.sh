#!/usr/bin/env bash
# The main job, run by `tools/dev run` once MariaDB, Kafka and Redis are up:
# provisions each service's database and user, starts the five services, the
# webhook dispatcher, the catalog cache invalidator, the gateway and a demo
# partner's webhook receiver (those not running yet), then runs the demo
# client, which seeds a catalog, places orders and prints their journeys, and
# shows the partner's side: its catalog, an order, and the webhooks it got.
# The system keeps running, with TLS on every connection: mutual TLS between
# the gRPC clients and services and to the broker, TLS to MariaDB, HTTPS for
# partners, all with the development CA that `tools/dev up` made in .data/tls.
#
# SHOP_INSTANCES=2 (`tools/dev run --instances 2`) runs two instances of
# every service: the same database, consumer group and relay lock, on their
# own ports (gRPC +100, metrics +10); clients balance over both.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
eval "$("${ROOT}/tools/dev" env)"
BIN="${ROOT}/bazel-bin"
DATA="${ROOT}/.data"
mkdir -p "${DATA}/services" "${DATA}/logs"
(umask 077 && mkdir -p "${DATA}/secrets")
TLS="${SHOP_TLS_DIR}"
[[ -s "${TLS}/ca.pem" ]] || "${ROOT}/tools/dev" certs
if [[ "$(mariadb --no-defaults --protocol=TCP -h "${SHOP_MYSQL_HOST}" -P "${SHOP_MYSQL_PORT}" \
  -u "${SHOP_MYSQL_USER}" -p"${SHOP_MYSQL_PASSWORD}" -N -e "SELECT @@have_ssl" 2>/dev/null)" != YES ]]; then
  echo "[run] MariaDB runs without TLS (started by an older tools/dev): tools/dev down && tools/dev up" >&2
  exit 1
fi
# tls_flags NAME: the gRPC identity of NAME, trusting the development CA.
tls_flags() { echo "--tls_cert=${TLS}/$1.pem --tls_key=${TLS}/$1.key --tls_ca=${TLS}/ca.pem"; }
# kafka_tls NAME: librdkafka settings to reach the broker's mTLS listener as NAME.
kafka_tls() {
  local file="${TLS}/$1.kafka.properties"
  printf '%s\n' "security.protocol=SSL" "ssl.ca.location=${TLS}/ca.pem" \
    "ssl.certificate.location=${TLS}/$1.pem" "ssl.key.location=${TLS}/$1.key" >"${file}"
  echo "--brokers=${SHOP_KAFKA_TLS_BROKERS} --kafka_config_file=${file}"
}

declare -A PORTS=([order]=50051 [product]=50052 [delivery]=50053 [settlement]=50054 [coupon]=50055
  [webhooks]=50056)
# Prometheus metrics of each service: http://127.0.0.1:<port>/metrics
declare -A METRICS=([order]=9101 [product]=9102 [delivery]=9103 [settlement]=9104 [coupon]=9105
  [webhooks]=9106)
INSTANCES="${SHOP_INSTANCES:-1}"
[[ "${INSTANCES}" =~ ^[1-9]$ ]] || {
  echo "[run] SHOP_INSTANCES must be 1 to 9" >&2
  exit 2
}
SERVICES=(order product delivery settlement coupon webhooks)
# instance_name SERVICE K: "order" for the first instance, "order-2" for the second.
instance_name() { if (($2 == 1)); then echo "$1"; else echo "$1-$2"; fi; }
# grpc_targets SERVICE: every instance's address, for a client balancing over them.
grpc_targets() {
  local k list=()
  for ((k = 1; k <= INSTANCES; k++)); do list+=("127.0.0.1:$((PORTS[$1] + 100 * (k - 1)))"); done
  (IFS=,; echo "ipv4:${list[*]}")
}
declare -A BINARY=([order]=order/order [product]=product/product [delivery]=delivery/delivery
  [settlement]=settlement/settlement [coupon]=coupon/coupon [webhooks]=gateway/webhooks/webhooks
  [gateway]=gateway/gateway [invalidator]=gateway/catalog/invalidator
  [webhook-receiver]=tools/demo/webhook_receiver)
PARTNERS="${ROOT}/tools/demo/partners.json"
# The demo partner's signing secret (tools/demo/partners.json); a demo value only.
DEMO_SECRET="whsec_ZGVtby1tYXJrZXRwbGFjZS13ZWJob29rLWtleS0yMDI2"
declare -A EXTRA=([webhooks]="--partners_file=${PARTNERS} --platform_url=http://127.0.0.1:8091/platform")

# A running process whose binary was rebuilt since it started is restarted;
# instances beyond SHOP_INSTANCES (from an earlier run) are stopped.
for pidfile in "${DATA}"/services/*.pid; do
  [[ -e "${pidfile}" ]] || continue
  name="$(basename "${pidfile}" .pid)"
  base="${name%-[0-9]}"
  number="${name#"${base}"}"
  number="${number#-}"
  [[ -n "${BINARY[${base}]:-}" ]] || continue
  if kill -0 "$(cat "${pidfile}")" 2>/dev/null &&
    { [[ "${BIN}/${BINARY[${base}]}" -nt "${pidfile}" ]] || ((${number:-1} > INSTANCES)); }; then
    echo "[run] ${name} was rebuilt or is beyond --instances ${INSTANCES}: stopping it"
    kill -TERM "$(cat "${pidfile}")"
    for ((i = 0; i < 100; i++)); do kill -0 "$(cat "${pidfile}")" 2>/dev/null || break; sleep 0.1; done
    rm -f "${pidfile}"
  fi
done

# start_plain NAME ARGS...: a process that is not a gRPC service.
start_plain() {
  local name="$1" pidfile="${DATA}/services/$1.pid"
  shift
  if [[ -f "${pidfile}" ]] && kill -0 "$(cat "${pidfile}")" 2>/dev/null; then
    echo "[run] ${name} already running (pid $(cat "${pidfile}"))"
    return
  fi
  nohup "${BIN}/${BINARY[${name}]}" "$@" </dev/null >>"${DATA}/logs/${name}.log" 2>&1 &
  echo $! >"${pidfile}"
  echo "[run] started ${name} (pid $!, log .data/logs/${name}.log)"
}

mkdir -p "${DATA}/webhooks"
# Its secret through the environment (SHOP_SECRET), not the command line.
SHOP_SECRET="${DEMO_SECRET}" start_plain webhook-receiver --port=8091 \
  --out="${DATA}/webhooks/demo-marketplace.jsonl" --platform_out="${DATA}/webhooks/platform.jsonl"

for service in "${SERVICES[@]}"; do
  # Its own database and MySQL user, with grants on that database only.
  # Passwords go through the environment and files, never the command line.
  # The user may connect over TLS only.
  SHOP_ADMIN_PASSWORD="${SHOP_MYSQL_PASSWORD}" SHOP_PASSWORD="${service}_dev_pw" \
    "${BIN}/tools/provision/provision_db" --host="${SHOP_MYSQL_HOST}" --port="${SHOP_MYSQL_PORT}" \
    --admin_user="${SHOP_MYSQL_USER}" --database="shop_${service}" --user="shop_${service}" \
    --require_tls --mysql_tls_ca="${TLS}/ca.pem"
  (umask 077 && printf '%s\n' "${service}_dev_pw" >"${DATA}/secrets/${service}.password")
  for ((k = 1; k <= INSTANCES; k++)); do
    name="$(instance_name "${service}" "${k}")"
    pidfile="${DATA}/services/${name}.pid"
    if [[ -f "${pidfile}" ]] && kill -0 "$(cat "${pidfile}")" 2>/dev/null; then
      echo "[run] ${name} already running (pid $(cat "${pidfile}"))"
      continue
    fi
    port=$((PORTS[${service}] + 100 * (k - 1)))
    extra="${EXTRA[${service}]:-}"
    # One dispatcher sends; the others consume and record (their senders would
    # send the same messages again).
    [[ "${service}" == webhooks && "${k}" -gt 1 ]] && extra+=" --send=false"
    rm -f "${DATA}/services/${name}.port"
    # shellcheck disable=SC2086
    env -u SHOP_MYSQL_PASSWORD nohup "${BIN}/${BINARY[${service}]}" \
      --grpc_address="127.0.0.1:${port}" $(tls_flags "${service}") $(kafka_tls "${service}") \
      --mysql_host="${SHOP_MYSQL_HOST}" --mysql_port="${SHOP_MYSQL_PORT}" --mysql_tls_ca="${TLS}/ca.pem" \
      --mysql_user="shop_${service}" --mysql_password_file="${DATA}/secrets/${service}.password" \
      --mysql_database="shop_${service}" --port_file="${DATA}/services/${name}.port" \
      --metrics_address="127.0.0.1:$((METRICS[${service}] + 10 * (k - 1)))" ${extra} \
      </dev/null >>"${DATA}/logs/${name}.log" 2>&1 &
    echo $! >"${pidfile}"
    echo "[run] started ${name} on 127.0.0.1:${port} (pid $!, log .data/logs/${name}.log)"
  done
done

for service in "${SERVICES[@]}"; do
  for ((k = 1; k <= INSTANCES; k++)); do
    name="$(instance_name "${service}" "${k}")"
    for ((i = 0; i < 120; i++)); do
      [[ -s "${DATA}/services/${name}.port" ]] && break
      if ! kill -0 "$(cat "${DATA}/services/${name}.pid")" 2>/dev/null; then
        echo "[run] ${name} exited during start; last log lines:" >&2
        tail -n 20 "${DATA}/logs/${name}.log" >&2
        exit 1
      fi
      sleep 0.25
    done
    [[ -s "${DATA}/services/${name}.port" ]] || {
      echo "[run] ${name} did not start serving within 30 s" >&2
      tail -n 20 "${DATA}/logs/${name}.log" >&2
      exit 1
    }
  done
done

# Prometheus finds the instances beyond the first through this file
# (file_sd_configs in tools/prometheus/prometheus.yml).
mkdir -p "${DATA}/prometheus/targets"
{
  echo "["
  sep=""
  for ((k = 2; k <= INSTANCES; k++)); do
    for service in "${SERVICES[@]}"; do
      printf '%s  {"targets": ["127.0.0.1:%d"], "labels": {"service": "%s", "instance_number": "%d"}}' \
        "${sep}" "$((METRICS[${service}] + 10 * (k - 1)))" "${service}" "${k}"
      sep=$',\n'
    done
  done
  echo
  echo "]"
} >"${DATA}/prometheus/targets/instances.json.tmp"
mv "${DATA}/prometheus/targets/instances.json.tmp" "${DATA}/prometheus/targets/instances.json"

# shellcheck disable=SC2046
start_plain invalidator $(kafka_tls invalidator) --redis_address="${SHOP_REDIS_ADDRESS}"
# The demo partner's key is "demo-partner-key"; the file holds only its SHA-256.
rm -f "${DATA}/services/gateway.port"
# Partners get HTTPS; the gateway calls the services with its own certificate.
# shellcheck disable=SC2046
start_plain gateway --http_address=127.0.0.1:8443 --order_address="$(grpc_targets order)" \
  --https_cert="${TLS}/gateway.pem" --https_key="${TLS}/gateway.key" $(tls_flags gateway) \
  --product_address="$(grpc_targets product)" --redis_address="${SHOP_REDIS_ADDRESS}" \
  --partners_file="${PARTNERS}" --port_file="${DATA}/services/gateway.port" \
  --metrics_address=127.0.0.1:9100
for ((i = 0; i < 120; i++)); do [[ -s "${DATA}/services/gateway.port" ]] && break; sleep 0.25; done

BINARY[prometheus]=/usr/bin/prometheus
pidfile="${DATA}/services/prometheus.pid"
if [[ -f "${pidfile}" ]] && kill -0 "$(cat "${pidfile}")" 2>/dev/null; then
  echo "[run] prometheus already running (pid $(cat "${pidfile}"))"
else
  mkdir -p "${DATA}/prometheus"
  nohup /usr/bin/prometheus --config.file="${ROOT}/tools/prometheus/prometheus.yml" \
    --storage.tsdb.path="${DATA}/prometheus" --web.listen-address=127.0.0.1:9090 \
    </dev/null >>"${DATA}/logs/prometheus.log" 2>&1 &
  echo $! >"${pidfile}"
  echo "[run] started prometheus on http://127.0.0.1:9090 (pid $!, log .data/logs/prometheus.log)"
fi

echo
# shellcheck disable=SC2046
"${BIN}/tools/demo/shop_demo" $(tls_flags client) $(kafka_tls client) \
  --order="$(grpc_targets order)" --product="$(grpc_targets product)" \
  --delivery="$(grpc_targets delivery)" --settlement="$(grpc_targets settlement)" \
  --coupon="$(grpc_targets coupon)"

echo
echo "== The partner's side: demo-marketplace, through the gateway (X-Api-Key: demo-partner-key)"
KEY=(-H 'X-Api-Key: demo-partner-key' --cacert "${TLS}/ca.pem")
echo "-- GET /partner/v1/catalog/DEMO-TEA-250, twice (the second from the Redis cache):"
for _ in 1 2; do
  curl -s -D "${DATA}/webhooks/headers" "${KEY[@]}" https://127.0.0.1:8443/partner/v1/catalog/DEMO-TEA-250
  echo "   (X-Cache: $(grep -i '^x-cache' "${DATA}/webhooks/headers" | tr -d '\r' | cut -d' ' -f2))"
done
price="$(curl -s "${KEY[@]}" https://127.0.0.1:8443/partner/v1/catalog/DEMO-TEA-250 |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["price"])')"
ref="PO-demo-$(date +%s)"
echo "-- POST /partner/v1/orders ${ref}: 2 x DEMO-TEA-250 at ${price}"
curl -s -X POST https://127.0.0.1:8443/partner/v1/orders "${KEY[@]}" -H 'Content-Type: application/json' \
  -d '{"orderRef":"'"${ref}"'","currency":"EUR","shipTo":{"name":"Ada","street":["1 Main St"],
  "city":"Berlin","zip":"10115","country":"DE"},"items":[{"sku":"DEMO-TEA-250","qty":2,"unitPrice":"'"${price}"'"}]}'
echo
echo "-- the webhooks the partner's endpoint received for ${ref} (signatures checked by it):"
received="${DATA}/webhooks/demo-marketplace.jsonl"
for ((i = 0; i < 100; i++)); do
  grep -q "\"${ref}\".*confirmed\|confirmed.*\"${ref}\"" "${received}" 2>/dev/null && break
  sleep 0.2
done
grep "\"${ref}\"" "${received}" | python3 -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line); e = r["event"]; d = e["data"]
    print("   %s  %-34s %s %s %s  signature %s  id %s" % (e["time"], e["type"], d["orderRef"],
          d["status"], d["total"] + " " + d["currency"], r["signature"], r["webhook-id"]))'
echo "-- the data platform received $(wc -l <"${DATA}/webhooks/platform.jsonl" 2>/dev/null || echo 0) domain events so far (.data/webhooks/platform.jsonl)"

for ((i = 0; i < 40; i++)); do
  up="$(curl -s 'http://127.0.0.1:9090/api/v1/query?query=sum(up)' |
    python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else 0)' 2>/dev/null || echo 0)"
  [[ "${up}" == $((1 + 6 * INSTANCES)) ]] && break
  sleep 0.5
done
echo "-- Prometheus (http://127.0.0.1:9090) scrapes ${up} of $((1 + 6 * INSTANCES)) targets"

GRPCURL="${ROOT}/.cache/bin/grpcurl -cacert .data/tls/ca.pem -cert .data/tls/client.pem -key .data/tls/client.key"
cat <<EOT

== The system keeps running. Explore it:
  ${GRPCURL} 127.0.0.1:50051 list
  ${GRPCURL} -d '{"customer_id":"demo-customer","page_size":5}' 127.0.0.1:50051 shop.order.v1.OrderService/ListOrders
  ${GRPCURL} -d '{"product_id":"tea"}' 127.0.0.1:50052 shop.product.v1.ProductService/GetStock
  ${GRPCURL} -d '{}' 127.0.0.1:50053 shop.delivery.v1.DeliveryService/ListDeliveries
  ${GRPCURL} -d '{}' 127.0.0.1:50054 shop.settlement.v1.SettlementService/GetDailyTotals
  ${GRPCURL} -d '{"campaign_id":"demo-10-percent"}' 127.0.0.1:50055 shop.coupon.v1.CouponService/GetCampaign
  ${GRPCURL} -d '{"campaign_id":"demo-10-percent","customer_id":"you","idempotency_key":"1"}' 127.0.0.1:50055 shop.coupon.v1.CouponService/IssueCoupon
  kcat -b ${SHOP_KAFKA_TLS_BROKERS} -F .data/tls/client.kafka.properties -C -t shop.order.events -o beginning -e -f '%k %h\n'
  curl -s --cacert .data/tls/ca.pem -X POST https://127.0.0.1:8443/partner/v1/orders -H 'X-Api-Key: demo-partner-key' \
    -H 'Content-Type: application/json' -d '{"orderRef":"PO-'\$RANDOM'","currency":"EUR",
    "shipTo":{"name":"Ada","street":["1 Main St"],"city":"Berlin","zip":"10115","country":"DE"},
    "items":[{"sku":"DEMO-TEA-250","qty":2,"unitPrice":"4.50"}]}'
  curl -s --cacert .data/tls/ca.pem -H 'X-Api-Key: demo-partner-key' 'https://127.0.0.1:8443/partner/v1/catalog?limit=10'
  tail -n 3 .data/webhooks/demo-marketplace.jsonl
  curl -s http://127.0.0.1:9101/metrics | grep -E '^shop_(outbox_backlog|consumer_lag)'   # 9100 gateway, 9101-9106: order .. webhooks
  curl -s 'http://127.0.0.1:9090/api/v1/query' --data-urlencode 'query=sum by (group) (shop_consumer_lag_records)'
  eval "\$(tools/dev env)"; bazel-bin/tools/shopctl/shopctl outbox parked list order
  eval "\$(tools/dev env)"; bazel-bin/tools/shopctl/shopctl webhooks list --state=dead
  tail -f .data/logs/order.log
Run the demo again:  tools/dev run
Stop everything:     tools/dev down
EOT
