#!/usr/bin/env bash
# The main job's Prometheus configuration is valid, as Prometheus reads it.
set -euo pipefail
/usr/bin/promtool check config tools/prometheus/prometheus.yml
