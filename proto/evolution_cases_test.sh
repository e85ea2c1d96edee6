#!/usr/bin/env bash
# Proves the breaking-change check: each known edit in testdata/evolution_cases.tsv
# is applied to a copy of the contract, and `buf breaking` against the
# released baseline must fail (bad) or pass (good) as the case says, with
# a message naming what changed.
set -euo pipefail
BUF="$(pwd)/$1"
CASES="$(pwd)/proto/testdata/evolution_cases.tsv"
export HOME="${TEST_TMPDIR}" BUF_CACHE_DIR="${TEST_TMPDIR}/buf-cache"

passed=0
failed=0
while IFS=$'\t' read -r expect files edit must_mention description; do
  [[ -z "${expect}" || "${expect}" == \#* ]] && continue
  work="$(mktemp -d "${TEST_TMPDIR}/case.XXXXXX")"
  cp -rL proto/. "${work}/"
  chmod -R u+w "${work}"
  (
    cd "${work}"
    for file in ${files}; do
      cp "${file}" "${file}.orig"
      sed -i -e "${edit}" "${file}"
      if cmp -s "${file}" "${file}.orig"; then
        echo "edit '${edit}' did not change ${file}: update the case" >&2
        exit 3
      fi
      rm "${file}.orig"
    done
  ) || {
    echo "FAIL [${description}]: the edit no longer applies"
    failed=$((failed + 1))
    continue
  }
  rc=0
  output="$(cd "${work}" && "${BUF}" breaking . --against baseline/contract.binpb 2>&1)" || rc=$?
  if [[ "${expect}" == bad ]]; then
    if [[ ${rc} -ne 0 && "${output}" == *"${must_mention}"* ]]; then
      echo "ok   [${description}] rejected:"
      echo "${output}" | sed 's/^/       /'
      passed=$((passed + 1))
    else
      echo "FAIL [${description}] expected a failure mentioning '${must_mention}', got rc=${rc}:"
      echo "${output}" | sed 's/^/       /'
      failed=$((failed + 1))
    fi
  else
    if [[ ${rc} -eq 0 ]]; then
      echo "ok   [${description}] accepted"
      passed=$((passed + 1))
    else
      echo "FAIL [${description}] expected to pass, got rc=${rc}:"
      echo "${output}" | sed 's/^/       /'
      failed=$((failed + 1))
    fi
  fi
done <"${CASES}"
echo "evolution cases: ${passed} passed, ${failed} failed"
[[ ${failed} -eq 0 && ${passed} -gt 0 ]]
