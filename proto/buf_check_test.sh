#!/usr/bin/env bash
# Runs buf against the contract in proto/, offline:
#   buf_check_test.sh lint       lint with proto/buf.yaml
#   buf_check_test.sh breaking   breaking-change check against proto/baseline/contract.binpb
set -euo pipefail
BUF="$(pwd)/$1"
MODE="$2"
export HOME="${TEST_TMPDIR:-$(mktemp -d)}" BUF_CACHE_DIR="${TEST_TMPDIR:-$(mktemp -d)}/buf-cache"
cd proto
case "${MODE}" in
  lint) "${BUF}" lint . ;;
  breaking)
    if ! "${BUF}" breaking . --against baseline/contract.binpb; then
      echo "The contract in proto/ breaks the released baseline (see above)." >&2
      echo "Evolve it compatibly (add fields, reserve removed ones) or add a v2 package." >&2
      exit 1
    fi
    ;;
  *)
    echo "unknown mode ${MODE}" >&2
    exit 2
    ;;
esac
echo "buf ${MODE}: contract OK"
