#!/usr/bin/env bash
# A cluster in a box, on loopback: HAProxy in front of three `odcs serve` nodes (health checks
# on /readyz), nginx serving /composes/ read-only from the shared target dir, a private
# PostgreSQL and a private RabbitMQ, under a load of odcs clients and SSE watchers through the
# balancer, through a rolling restart, a fast and an immediate PostgreSQL restart and a broker
# outage. Prints each phase's requests, failures, p99 and recovery, and exits non-zero on any
# client-visible error it does not allow (Tests/Cluster/cluster_box.py; docs/operations.md).
#
#   scripts/cluster-in-a-box.sh [--steady-seconds 30] [--broker-seconds 15] [--creators 6] [--watchers 8] [--keep]
#
# Needs a build (swift build) and scripts/install-deps.sh (haproxy, nginx, PostgreSQL,
# RabbitMQ, the odcs 0.9.2 client); ODCS_BIN overrides .build/debug/odcs.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=$(scripts/test-python.sh)
ODCS_BIN=${ODCS_BIN:-$(pwd)/.build/debug/odcs}
[ -x "$ODCS_BIN" ] || { echo "cluster-in-a-box: no $ODCS_BIN (swift build first)" >&2; exit 1; }
export ODCS_BIN
exec "$PYTHON" Tests/Cluster/cluster_box.py "$@"
