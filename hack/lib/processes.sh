# Start and stop the cluster's components as plain background processes,
# each with a PID file under $RUN_DIR and a log under $LOG_DIR.

pid_of() { local f="$RUN_DIR/$1.pid"; [[ -f "$f" ]] && cat "$f" || true; }

is_running() { local pid; pid=$(pid_of "$1"); [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; }

start_process() { # name command...
  local name="$1"; shift
  if is_running "$name"; then return 0; fi
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  setsid "$@" >>"$LOG_DIR/$name.log" 2>&1 < /dev/null &
  echo $! > "$RUN_DIR/$name.pid"
}

stop_process() { # name grace-seconds
  local name="$1" grace="${2:-10}" pid
  pid=$(pid_of "$name")
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    local waited=0
    while kill -0 "$pid" 2>/dev/null && (( waited < grace * 10 )); do sleep 0.1; waited=$((waited + 1)); done
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$RUN_DIR/$name.pid"
}

wait_until() { # description timeout-seconds log-name command...
  local what="$1" timeout="$2" logname="$3"; shift 3
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if (( SECONDS >= deadline )); then
      echo "--- last lines of $LOG_DIR/$logname.log ---" >&2
      tail -n 30 "$LOG_DIR/$logname.log" >&2 || true
      die "timed out after ${timeout}s waiting for $what (log: $LOG_DIR/$logname.log)"
    fi
    if [[ -n "$logname" ]] && ! is_running "$logname"; then
      echo "--- last lines of $LOG_DIR/$logname.log ---" >&2
      tail -n 30 "$LOG_DIR/$logname.log" >&2 || true
      die "$logname exited while waiting for $what (log: $LOG_DIR/$logname.log)"
    fi
    sleep 0.5
  done
}
