#!/usr/bin/env bash
# Builds the libFuzzer target with clang (AddressSanitizer + UBSan +
# libFuzzer) from the sources and generated code in the runfiles, and runs it
# for a bounded time (FUZZ_SECONDS, default 20) from the seed corpus.
set -euo pipefail
ROOT="$(pwd)"
SECONDS_TO_RUN="${FUZZ_SECONDS:-20}"
if ! command -v clang++ >/dev/null || ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  echo "clang and libFuzzer are missing: run tools/dev setup" >&2
  exit 1
fi
WORK="${TEST_TMPDIR}/fuzz"
mkdir -p "${WORK}/corpus"
cp gateway/testdata/fuzz_seeds/* "${WORK}/corpus/"
GENERATED=$(find proto -name '*.pb.cc' ! -name '*.grpc.pb.cc')
# shellcheck disable=SC2046,SC2086
clang++ -std=c++17 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I "${ROOT}" -I "${ROOT}/proto" -w \
  gateway/partner/decode_fuzz.cc gateway/partner/translation.cc common/money/decimal.cc \
  common/money/currency.cc common/errors/bad_request.cc ${GENERATED} \
  $(pkg-config --libs protobuf absl_status absl_statusor absl_strings absl_str_format absl_cord absl_hash absl_raw_hash_set) \
  -o "${WORK}/decode_fuzz"
echo "fuzzing for ${SECONDS_TO_RUN} s"
"${WORK}/decode_fuzz" -max_total_time="${SECONDS_TO_RUN}" -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="${TEST_UNDECLARED_OUTPUTS_DIR:-${WORK}}/" "${WORK}/corpus"
