#!/usr/bin/env bash
# The main job, run by `tools/dev run` once MariaDB and Kafka are up:
# provisions each service's database and user, starts the five services
# (if they are not running yet), then runs the demo client, which seeds a
# catalog, places orders and prints their journeys. The system keeps running.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
eval "$("${ROOT}/tools/dev" env)"
BIN="${ROOT}/bazel-bin"
DATA="${ROOT}/.data"
mkdir -p "${DATA}/services" "${DATA}/logs"

declare -A PORTS=([order]=50051 [product]=50052 [delivery]=50053 [settlement]=50054 [coupon]=50055)

# A running service whose binary was rebuilt since it started is restarted.
for service in order product delivery settlement coupon gateway; do
  pidfile="${DATA}/services/${service}.pid"
  if [[ -f "${pidfile}" ]] && kill -0 "$(cat "${pidfile}")" 2>/dev/null &&
    [[ "${BIN}/${service}/${service}" -nt "${pidfile}" ]]; then
    echo "[run] ${service} was rebuilt: restarting it"
    kill -TERM "$(cat "${pidfile}")"
    for ((i = 0; i < 100; i++)); do kill -0 "$(cat "${pidfile}")" 2>/dev/null || break; sleep 0.1; done
    rm -f "${pidfile}"
  fi
done

for service in order product delivery settlement coupon; do
  pidfile="${DATA}/services/${service}.pid"
  if [[ -f "${pidfile}" ]] && kill -0 "$(cat "${pidfile}")" 2>/dev/null; then
    echo "[run] ${service} already running (pid $(cat "${pidfile}"))"
    continue
  fi
  # Its own database and MySQL user, with grants on that database only.
  "${BIN}/tools/provision/provision_db" --host="${SHOP_MYSQL_HOST}" --port="${SHOP_MYSQL_PORT}" \
    --admin_user="${SHOP_MYSQL_USER}" --admin_password="${SHOP_MYSQL_PASSWORD}" \
    --database="shop_${service}" --user="shop_${service}" --password="${service}_dev_pw"
  rm -f "${DATA}/services/${service}.port"
  nohup "${BIN}/${service}/${service}" \
    --grpc_address="127.0.0.1:${PORTS[${service}]}" --brokers="${SHOP_KAFKA_BROKERS}" \
    --mysql_host="${SHOP_MYSQL_HOST}" --mysql_port="${SHOP_MYSQL_PORT}" \
    --mysql_user="shop_${service}" --mysql_password="${service}_dev_pw" \
    --mysql_database="shop_${service}" --port_file="${DATA}/services/${service}.port" \
    </dev/null >>"${DATA}/logs/${service}.log" 2>&1 &
  echo $! >"${pidfile}"
  echo "[run] started ${service} on 127.0.0.1:${PORTS[${service}]} (pid $!, log .data/logs/${service}.log)"
done

for service in order product delivery settlement coupon; do
  for ((i = 0; i < 120; i++)); do
    [[ -s "${DATA}/services/${service}.port" ]] && break
    if ! kill -0 "$(cat "${DATA}/services/${service}.pid")" 2>/dev/null; then
      echo "[run] ${service} exited during start; last log lines:" >&2
      tail -n 20 "${DATA}/logs/${service}.log" >&2
      exit 1
    fi
    sleep 0.25
  done
  [[ -s "${DATA}/services/${service}.port" ]] || {
    echo "[run] ${service} did not start serving within 30 s" >&2
    tail -n 20 "${DATA}/logs/${service}.log" >&2
    exit 1
  }
done

pidfile="${DATA}/services/gateway.pid"
if [[ -f "${pidfile}" ]] && kill -0 "$(cat "${pidfile}")" 2>/dev/null; then
  echo "[run] gateway already running (pid $(cat "${pidfile}"))"
else
  # The demo partner's key is "demo-partner-key"; the file holds only its SHA-256.
  rm -f "${DATA}/services/gateway.port"
  nohup "${BIN}/gateway/gateway" --http_address=127.0.0.1:8080 \
    --order_address=127.0.0.1:${PORTS[order]} --partners_file="${ROOT}/tools/demo/partners.json" \
    --port_file="${DATA}/services/gateway.port" </dev/null >>"${DATA}/logs/gateway.log" 2>&1 &
  echo $! >"${pidfile}"
  echo "[run] started gateway on 127.0.0.1:8080 (pid $!, log .data/logs/gateway.log)"
fi

echo
"${BIN}/tools/demo/shop_demo" --brokers="${SHOP_KAFKA_BROKERS}" \
  --order=127.0.0.1:${PORTS[order]} --product=127.0.0.1:${PORTS[product]} \
  --delivery=127.0.0.1:${PORTS[delivery]} --settlement=127.0.0.1:${PORTS[settlement]} \
  --coupon=127.0.0.1:${PORTS[coupon]}

GRPCURL="${ROOT}/.cache/bin/grpcurl"
cat <<EOT

== The system keeps running. Explore it:
  ${GRPCURL} -plaintext 127.0.0.1:50051 list
  ${GRPCURL} -plaintext -d '{"customer_id":"demo-customer","page_size":5}' 127.0.0.1:50051 shop.order.v1.OrderService/ListOrders
  ${GRPCURL} -plaintext -d '{"product_id":"tea"}' 127.0.0.1:50052 shop.product.v1.ProductService/GetStock
  ${GRPCURL} -plaintext -d '{}' 127.0.0.1:50053 shop.delivery.v1.DeliveryService/ListDeliveries
  ${GRPCURL} -plaintext -d '{}' 127.0.0.1:50054 shop.settlement.v1.SettlementService/GetDailyTotals
  ${GRPCURL} -plaintext -d '{"campaign_id":"demo-10-percent"}' 127.0.0.1:50055 shop.coupon.v1.CouponService/GetCampaign
  ${GRPCURL} -plaintext -d '{"campaign_id":"demo-10-percent","customer_id":"you","idempotency_key":"1"}' 127.0.0.1:50055 shop.coupon.v1.CouponService/IssueCoupon
  kcat -b ${SHOP_KAFKA_BROKERS} -C -t shop.order.events -o beginning -e -f '%k %h\n'
  curl -s -X POST http://127.0.0.1:8080/partner/v1/orders -H 'X-Api-Key: demo-partner-key' \
    -H 'Content-Type: application/json' -d '{"orderRef":"PO-'\$RANDOM'","currency":"EUR",
    "shipTo":{"name":"Ada","street":["1 Main St"],"city":"Berlin","zip":"10115","country":"DE"},
    "items":[{"sku":"DEMO-TEA-250","qty":2,"unitPrice":"4.50"}]}'
  eval "\$(tools/dev env)"; bazel-bin/tools/shopctl/shopctl outbox parked list order
  tail -f .data/logs/order.log
Run the demo again:  tools/dev run
Stop everything:     tools/dev down
EOT
