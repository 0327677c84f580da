#!/usr/bin/env bash
# README's test command: installs what the suite needs (scripts/install-test-deps.sh), then
# runs it. The suites that build storage pools (loop devices, zfs-fuse) run side by side with
# the rest, on one Docker engine started here when none runs (and stopped again afterwards).
# Arguments, when given, go to a single pytest run instead.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
if [ $# -gt 0 ]; then
    exec .venv/bin/python -m pytest "$@"
fi

engine_was_running=$(.venv/bin/python - <<'PY'
from pathlib import Path
import tempfile
from app.setup.host import _answering_client, ensure_docker_engine
print("yes" if _answering_client() is not None else "no")
ensure_docker_engine(Path(tempfile.gettempdir()), report=lambda line: None)
PY
)
stop_engine() { [ "$engine_was_running" = yes ] || pkill -TERM -x dockerd || true; }
trap stop_engine EXIT

# The suites that build storage pools, plus the SDK, data-import and upkeep suites to even
# out the two runs' length.
pool_suites=(tests/storage tests/integration/test_branching.py tests/integration/test_limits.py
             tests/integration/test_mariadb.py tests/integration/test_promote.py
             tests/integration/test_imports.py tests/integration/test_masking.py tests/sdk
             tests/integration/test_warm_engines.py tests/integration/test_upkeep.py)
ignores=()
for suite in "${pool_suites[@]}"; do ignores+=(--ignore="$suite"); done

# A test that fails is run once more, after a pause, and reported as a rerun either way: the
# suites drive real Docker engines, loop devices and zfs-fuse on a shared 2-core machine. The
# first attempt's traceback is printed at the end, so a rerun's cause is on record.
rerun=(--reruns 1 --reruns-delay 2 --rerun-show-tracebacks)
# Each file's time in the log, to keep the two runs' lengths even.
rerun+=(-o console_output_style=times)
pools_log=$(mktemp)
rest_log=$(mktemp)
.venv/bin/python -m pytest "${rerun[@]}" "${pool_suites[@]}" >"$pools_log" 2>&1 &
pools_pid=$!
set +e
.venv/bin/python -m pytest "${rerun[@]}" "${ignores[@]}" 2>&1 | tee "$rest_log"
rest_status=${PIPESTATUS[0]}
wait "$pools_pid"
pools_status=$?
set -e
echo
echo "==================== storage-pool suites (ran alongside) ===================="
cat "$pools_log"

# One closing line for both runs: the sums of their pytest summaries.
count() { tail -n 1 "$1" | grep -Eo "[0-9]+ $2" | grep -Eo "[0-9]+" || echo 0; }
passed=$(( $(count "$rest_log" passed) + $(count "$pools_log" passed) ))
failed=$(( $(count "$rest_log" failed) + $(count "$pools_log" failed)
          + $(count "$rest_log" error) + $(count "$pools_log" error) ))
skipped=$(( $(count "$rest_log" skipped) + $(count "$pools_log" skipped) ))
rm -f "$pools_log" "$rest_log"
echo
echo "total: $passed passed, $failed failed, $skipped skipped"
if [ "$rest_status" -ne 0 ]; then exit "$rest_status"; fi
exit "$pools_status"
