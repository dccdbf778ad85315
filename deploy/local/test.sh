#!/usr/bin/env bash
# `make test`'s suite, after `make up` and the lint. Most tests spend their time waiting (for a
# consumer, a timer, a container to stop), not computing, so two pytest processes run side by
# side: one against the running stack through the front door (browser, e2e, deployment), one
# with its own throw-away databases, vhosts and buckets (unit, structure, integration). The
# fault test restarts PostgreSQL and RabbitMQ under everyone's feet, so it runs alone, last.
# Each line is prefixed with its part; each part's summary comes at its end. Arguments are
# passed to every pytest (e.g. `-x`, `-k name`).
set -uo pipefail
cd "$(dirname "$0")/../.."

# Each part's output is also kept in .run/test-PART.log, so the failures can be repeated at the
# very end: CI shows only the tail of what it printed.
mkdir -p .run
part() {
  local name="$1"; shift
  deploy/local/with-env.sh .venv/bin/pytest "$@" 2>&1 | sed -u "s/^/[$name] /" | tee ".run/test-$name.log"
  return "${PIPESTATUS[0]}"
}

started=$SECONDS
part stack tests/browser tests/e2e tests/deployment tests/security "$@" & stack=$!
part own tests/unit tests/structure tests/integration "$@" & own=$!
wait "$stack"; stack_rc=$?
wait "$own"; own_rc=$?
part faults tests/faults "$@"; faults_rc=$?

# pytest's 5 is "no tests collected" (a -k that matched nothing in that part): not a failure.
failed=()
for rc_name in "stack:$stack_rc" "own:$own_rc" "faults:$faults_rc"; do
  rc="${rc_name#*:}"
  [[ "$rc" == 0 || "$rc" == 5 ]] || failed+=("${rc_name%%:*} (exit $rc)")
done
echo "[kechuang] suite finished in $(( (SECONDS - started) / 60 )) min $(( (SECONDS - started) % 60 )) s"
if (( ${#failed[@]} )); then
  grep -hE '^\[[a-z]+\] (FAILED|ERROR) ' .run/test-stack.log .run/test-own.log .run/test-faults.log || true
  echo "[kechuang] failed: ${failed[*]}"
  exit 1
fi
echo "[kechuang] every part passed"
