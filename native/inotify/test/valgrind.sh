#!/bin/sh
# Leak check of the inotify addon: runs exercise.cjs under valgrind and fails
# when valgrind reports a definite leak (or an invalid read/write) whose stack
# passes through vigil_inotify.node. Node itself leaks "possibly lost" blocks by
# design (V8 heaps, isolates); those are not ours and are ignored.
#
#   sh native/inotify/test/valgrind.sh        (apt-get install -y valgrind first)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
log=$(mktemp /tmp/vigil-inotify-valgrind.XXXXXX)
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install -y valgrind)"; exit 2; }

status=0
valgrind --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite \
  --num-callers=40 --trace-children=no --log-file="$log" \
  node "$here/exercise.cjs" || status=$?

# Each error/leak record is a paragraph in the log; keep those that mention us.
ours=$(awk 'BEGIN{RS=""} /vigil_inotify|vigil::/ && /(definitely lost|Invalid (read|write)|uninitialised|Mismatched free)/' "$log" | sed 's/^==[0-9]*== //')
summary=$(grep -E "definitely lost:|ERROR SUMMARY" "$log" | sed 's/^==[0-9]*== //')
echo "$summary"
if [ "$status" -ne 0 ]; then
  echo "exercise.cjs exited with $status under valgrind (log: $log)"
  exit 1
fi
if [ -n "$ours" ]; then
  echo "valgrind found problems in vigil_inotify (log: $log):"
  echo "$ours"
  exit 1
fi
echo "valgrind: no definite leaks or memory errors in vigil_inotify (full log: $log)"
