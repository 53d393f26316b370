#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for trying the sbatch templates (test_templates.sh).
#
#   scripts/slurm/local_cluster.sh start    # install slurm-wlm + munge if missing, start the daemons
#   scripts/slurm/local_cluster.sh status   # daemons, node state, queue
#   scripts/slurm/local_cluster.sh env      # prints: export SLURM_CONF=... (eval it to use sbatch etc.)
#   scripts/slurm/local_cluster.sh stop     # stops the daemons it started (by their pid files)
#
# Everything lives in one state directory, $TRAINSCAPE_SLURM_DIR (default /tmp/trainscape-slurm):
# slurm.conf, a munge key and socket of its own, logs, pid files, spool and state. Nothing in
# /etc is written, so it does not disturb a real Slurm or munge on the machine, and the daemons
# are started directly (no systemd: this also works in containers). Needs root (slurmd runs jobs
# as their submitting user; slurmctld and munged run as root here, which a real cluster would not
# do). The node gets this machine's CPU count and 80% of its memory; ports default to 6917/6918
# (not Slurm's 6817/6818) so a real installation's daemons are not in the way.
set -euo pipefail

dir="${TRAINSCAPE_SLURM_DIR:-/tmp/trainscape-slurm}"
ctld_port="${TRAINSCAPE_SLURM_CTLD_PORT:-6917}"
slurmd_port="${TRAINSCAPE_SLURM_SLURMD_PORT:-6918}"
conf="$dir/slurm.conf"
munge_socket="$dir/munge/munge.socket.2"
node="$(hostname -s)"

say() { echo "local_cluster: $*" >&2; }

need_root() {
  if [ "$(id -u)" -ne 0 ]; then
    say "needs root (slurmd and munged are started as root here)"
    exit 1
  fi
}

install_packages() {
  local missing=()
  for p in slurmctld slurmd slurm-client munge; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

pid_alive() {  # pid_alive FILE: the pid in FILE is a running process
  [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

write_conf() {
  local cpus mem_mb
  cpus="$(nproc)"
  mem_mb="$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.8 }' /proc/meminfo)"
  mkdir -p "$dir/state" "$dir/spool" "$dir/log"
  cat > "$conf" <<EOF
# Written by scripts/slurm/local_cluster.sh: a one-node cluster for trying trainscape's templates.
ClusterName=trainscape-local
SlurmctldHost=$node
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$munge_socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
# No cgroups in a container: track job processes by parent pid, no task binding plugin.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
# srun --mpi=pmix starts Open MPI ranks directly (zoom_mpi.sbatch); plain srun needs nothing.
MpiDefault=none
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=10
MinJobAge=600
MaxArraySize=10001
# Jobs that ask for no memory get their CPUs' share (without it one job would get the whole node).
DefMemPerCPU=$((mem_mb / cpus))
NodeName=$node CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=local Nodes=$node Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
}

start_munge() {
  mkdir -p "$dir/munge"
  chmod 0700 "$dir/munge"
  if [ ! -s "$dir/munge/munge.key" ]; then
    dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
    chmod 0400 "$dir/munge/munge.key"
  fi
  if pid_alive "$dir/munge/munged.pid"; then return; fi
  # --force: munged refuses root otherwise.
  munged --force --key-file="$dir/munge/munge.key" --socket="$munge_socket" \
         --pid-file="$dir/munge/munged.pid" --log-file="$dir/log/munged.log" \
         --seed-file="$dir/munge/munged.seed"
  # It must answer before slurm starts.
  for _ in $(seq 50); do
    if munge --socket="$munge_socket" -n 2>/dev/null | unmunge --socket="$munge_socket" >/dev/null 2>&1; then
      return
    fi
    sleep 0.1
  done
  say "munged did not answer on $munge_socket (see $dir/log/munged.log)"
  exit 1
}

start() {
  need_root
  install_packages
  mkdir -p "$dir"
  if pid_alive "$dir/slurmctld.pid" && pid_alive "$dir/slurmd.pid"; then
    say "already running ($dir)"
    return
  fi
  write_conf
  start_munge
  pid_alive "$dir/slurmctld.pid" || slurmctld -f "$conf"
  pid_alive "$dir/slurmd.pid" || slurmd -f "$conf"
  export SLURM_CONF="$conf"
  # Wait until the node is up and idle (or mixed/allocated by leftovers).
  for _ in $(seq 60); do
    state="$(sinfo -h -N -n "$node" -o %T 2>/dev/null || true)"
    case "$state" in
      idle*|mixed*|alloc*) say "running: node $node $state; use: export SLURM_CONF=$conf"; return ;;
      down*|drain*) scontrol update nodename="$node" state=resume >/dev/null 2>&1 || true ;;
    esac
    sleep 0.5
  done
  say "the node did not come up (state '${state:-none}'); logs in $dir/log"
  exit 1
}

stop_one() {  # stop_one NAME PIDFILE
  if pid_alive "$2"; then
    local pid
    pid="$(cat "$2")"
    kill "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    say "stopped $1 (pid $pid)"
  fi
  rm -f "$2"
}

stop() {
  need_root
  stop_one slurmd "$dir/slurmd.pid"
  stop_one slurmctld "$dir/slurmctld.pid"
  stop_one munged "$dir/munge/munged.pid"
}

status() {
  local rc=0
  for d in "slurmctld:$dir/slurmctld.pid" "slurmd:$dir/slurmd.pid" "munged:$dir/munge/munged.pid"; do
    if pid_alive "${d#*:}"; then echo "${d%%:*}: running (pid $(cat "${d#*:}"))"; else echo "${d%%:*}: stopped"; rc=3; fi
  done
  if [ $rc -eq 0 ]; then
    SLURM_CONF="$conf" sinfo -N -l
    SLURM_CONF="$conf" squeue
  fi
  return $rc
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) echo "export SLURM_CONF=$conf" ;;
  *) echo "usage: $0 start|stop|status|env   (state in \$TRAINSCAPE_SLURM_DIR, default /tmp/trainscape-slurm)" >&2; exit 2 ;;
esac
