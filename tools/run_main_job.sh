#!/usr/bin/env bash
# The main job, run by `tools/dev run` once MariaDB and Kafka are up.
# Until the services exist it shows that the infrastructure answers.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
eval "$("${ROOT}/tools/dev" env)"

echo "== MariaDB (${SHOP_MYSQL_HOST}:${SHOP_MYSQL_PORT})"
mariadb --no-defaults --protocol=TCP -h "${SHOP_MYSQL_HOST}" -P "${SHOP_MYSQL_PORT}" \
  -u "${SHOP_MYSQL_USER}" -p"${SHOP_MYSQL_PASSWORD}" -t -e "SELECT VERSION() AS server_version"
echo "== Kafka (${SHOP_KAFKA_BROKERS})"
kcat -b "${SHOP_KAFKA_BROKERS}" -L -m 5 | head -n 3
echo
"${ROOT}/tools/dev" status
echo
echo "Stop everything with: tools/dev down"
