#!/usr/bin/env bash
# Run the sample workflow through a real, single-node SLURM cluster on this machine, run it again locally,
# and check that both give the same indicators.
#
#   sudo bash scripts/cluster/slurm_demo.sh        (as root: it installs Debian packages and starts daemons)
#
# What it does: installs Debian's slurm-wlm and munge (apt-get), writes a minimal slurm.conf for one node
# (localhost, 2 CPUs, 20000 MB) in a temporary directory, starts munged, slurmctld and slurmd, waits for the
# node to be idle, installs the cluster extra (snakemake-executor-plugin-slurm) into .venv, runs the workflow with
# `--profile profiles/slurm` in one temporary copy of the workflow and with `--cores 2` in another, compares
# every results/*/indicators.csv, and stops the daemons it started (trap, also on failure).
# Not part of CI. Environment: KEEP=1 keeps the temporary directory; PYTHON overrides .venv/bin/python;
# BANDS=N runs every city-year on SLURM as N band jobs plus a merge (config landcover_bands), while the local
# run stays one job per city-year, so the comparison checks the bands too.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PYTHON="${PYTHON:-$REPO/.venv/bin/python}"
BIN="$(dirname "$PYTHON")"
DEMO="$(mktemp -d /tmp/cbindex-slurm-demo.XXXXXX)"
SLURM_DIR="$DEMO/slurm"
NODE=localhost
STARTED_PIDS=()
ETC_SLURM=/etc/slurm
BACKUP_SUFFIX="before-cbindex-demo"
BANDS="${BANDS:-1}"
LINKED=()

say() { printf '[slurm-demo %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

cleanup() {
  local status=$?
  set +e
  say "stopping the cluster"
  if command -v scancel >/dev/null && [[ -f "$SLURM_DIR/slurm.conf" ]]; then
    SLURM_CONF="$SLURM_DIR/slurm.conf" scancel --user="$(id -un)" 2>/dev/null
  fi
  for pidfile in "$SLURM_DIR/slurmd.pid" "$SLURM_DIR/slurmctld.pid" "$DEMO/munge/munged.pid"; do
    if [[ -s "$pidfile" ]]; then
      STARTED_PIDS+=("$(cat "$pidfile")")
    fi
  done
  for pid in "${STARTED_PIDS[@]}"; do
    kill "$pid" 2>/dev/null
  done
  sleep 1
  for pid in "${STARTED_PIDS[@]}"; do
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
  done
  for name in "${LINKED[@]}"; do
    rm -f "$ETC_SLURM/$name"
    if [[ -e "$ETC_SLURM/$name.$BACKUP_SUFFIX" || -L "$ETC_SLURM/$name.$BACKUP_SUFFIX" ]]; then
      mv "$ETC_SLURM/$name.$BACKUP_SUFFIX" "$ETC_SLURM/$name"
    fi
  done
  if [[ $status -ne 0 ]]; then
    say "FAILED (exit $status); the last lines of the daemon logs:"
    for log in "$SLURM_DIR/slurmctld.log" "$SLURM_DIR/slurmd.log" "$DEMO/munge/munged.log"; do
      [[ -f "$log" ]] && { echo "--- $log"; tail -n 15 "$log"; }
    done
  fi
  if [[ "${KEEP:-0}" == 1 ]]; then
    say "kept $DEMO"
  else
    rm -rf "$DEMO"
  fi
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ $(id -u) -ne 0 ]]; then
  say "run as root (apt-get, daemons)"; exit 2
fi

# --- 1. packages -----------------------------------------------------------------------------------------
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
  say "installing slurm-wlm and munge with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # RUNLEVEL=1: the packages' scripts do not try to start the services (this script starts its own)
  RUNLEVEL=1 apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
fi
say "$(slurmctld -V), $(munged --version 2>&1 | head -n1)"

# --- 2. munge --------------------------------------------------------------------------------------------
mkdir -p "$DEMO/munge"
if [[ ! -s /etc/munge/munge.key ]]; then
  say "creating /etc/munge/munge.key"
  if command -v mungekey >/dev/null; then mungekey --create --keyfile=/etc/munge/munge.key; else
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none; fi
fi
chown -R munge:munge /etc/munge "$DEMO/munge"
chmod 0700 /etc/munge
chmod 0755 "$DEMO/munge"  # munged wants the socket directory searchable by everyone
chmod 0400 /etc/munge/munge.key
chmod 0755 "$DEMO"
MUNGE_SOCKET="$DEMO/munge/munge.socket"
say "starting munged"
runuser -u munge -- munged --socket="$MUNGE_SOCKET" --pid-file="$DEMO/munge/munged.pid" \
  --log-file="$DEMO/munge/munged.log" --seed-file="$DEMO/munge/munged.seed"
for _ in $(seq 50); do [[ -S "$MUNGE_SOCKET" ]] && break; sleep 0.1; done
munge --socket="$MUNGE_SOCKET" -n | unmunge --socket="$MUNGE_SOCKET" | grep -q 'STATUS: *Success' \
  || { say "munge does not encode/decode credentials"; exit 1; }

# --- 3. slurm.conf ---------------------------------------------------------------------------------------
mkdir -p "$SLURM_DIR/state" "$SLURM_DIR/spool"
cat > "$SLURM_DIR/slurm.conf" <<EOF
# Minimal single-node cluster written by scripts/cluster/slurm_demo.sh
ClusterName=cbindexdemo
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MUNGE_SOCKET
StateSaveLocation=$SLURM_DIR/state
SlurmdSpoolDir=$SLURM_DIR/spool
SlurmctldPidFile=$SLURM_DIR/slurmctld.pid
SlurmdPidFile=$SLURM_DIR/slurmd.pid
SlurmctldLogFile=$SLURM_DIR/slurmctld.log
SlurmdLogFile=$SLURM_DIR/slurmd.log
SlurmctldPort=${SLURMCTLD_PORT:-6817}
SlurmdPort=${SLURMD_PORT:-6818}
# no cgroups, no systemd: processes are tracked through /proc, tasks are not confined
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
# no accounting database, so Snakemake asks squeue for job states: keep finished jobs visible for an hour
MinJobAge=3600
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=2 RealMemory=20000 State=UNKNOWN
PartitionName=demo Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
# slurmd reads cgroup.conf even with the cgroup-free plugins above. Slurm >= 23.02 can switch cgroups off
# (CgroupPlugin=disabled); 22.05 (Debian 12) cannot, so it autodetects the mounted hierarchy and is told not
# to ask systemd (there is none in a container).
slurm_version="$(slurmctld -V | awk '{print $2}')"
if [[ "$(printf '%s\n' 23.02 "$slurm_version" | sort -V | head -n1)" == 23.02 ]]; then
  echo "CgroupPlugin=disabled" > "$SLURM_DIR/cgroup.conf"
else
  printf 'CgroupPlugin=autodetect\nIgnoreSystemd=yes\n' > "$SLURM_DIR/cgroup.conf"
fi
# The configuration must be where every Slurm command finds it without SLURM_CONF: Snakemake's job-step
# executor removes all SLURM_* variables before its nested srun, which then looks in /etc/slurm (or DNS).
# Any existing files are set aside and put back by the trap.
for name in slurm.conf cgroup.conf; do
  if [[ -e "$ETC_SLURM/$name" || -L "$ETC_SLURM/$name" ]]; then
    mv "$ETC_SLURM/$name" "$ETC_SLURM/$name.$BACKUP_SUFFIX"
  fi
  mkdir -p "$ETC_SLURM"
  ln -s "$SLURM_DIR/$name" "$ETC_SLURM/$name"
  LINKED+=("$name")
done
export SLURM_CONF="$ETC_SLURM/slurm.conf"
say "starting slurmctld and slurmd ($SLURM_CONF -> $SLURM_DIR/slurm.conf)"
slurmctld -i -f "$SLURM_CONF"
slurmd -N "$NODE" -f "$SLURM_CONF"
state=""
for _ in $(seq 60); do
  state="$(sinfo -h -N -n "$NODE" -o '%t' 2>/dev/null || true)"
  [[ "$state" == idle ]] && break
  if [[ "$state" == down* || "$state" == drain* ]]; then
    scontrol update nodename="$NODE" state=resume 2>/dev/null || true
  fi
  sleep 1
done
if [[ "$state" != idle ]]; then
  say "node $NODE is not idle (state '${state:-none}')"; sinfo -N -l || true; exit 1
fi
sinfo
say "smoke job: $(srun -N1 -n1 --mem=100 hostname)"

# --- 4. executor plugin ----------------------------------------------------------------------------------
if ! "$PYTHON" -c "import snakemake_executor_plugin_slurm" 2>/dev/null; then
  say "installing snakemake-executor-plugin-slurm into $(dirname "$BIN")"
  "$PYTHON" -m pip install --quiet -e "$REPO[cluster]"  # the project's cluster extra: the SLURM executor plugin
fi
say "snakemake $("$BIN/snakemake" --version), plugin $("$PYTHON" -m pip show snakemake-executor-plugin-slurm \
  | awk '/^Version/ {print $2}')"

# --- 5. the two runs -------------------------------------------------------------------------------------
copy_workflow() {
  (cd "$REPO/tests" && "$PYTHON" -c "import sys; from pathlib import Path; from workflow_runner import \
copy_workflow; copy_workflow(Path(sys.argv[1]))" "$1")
}
copy_workflow "$DEMO/on_slurm"
copy_workflow "$DEMO/local"
export PATH="$BIN:$PATH"

say "workflow through SLURM (snakemake --profile profiles/slurm, landcover_bands=$BANDS) in $DEMO/on_slurm"
start=$(date +%s)
(cd "$DEMO/on_slurm" && snakemake --profile "$REPO/profiles/slurm" --config "landcover_bands=$BANDS" \
  --slurm-no-account \
  --slurm-status-command squeue --slurm-init-seconds-before-status-checks 5 --retries 0 \
  >"$DEMO/on_slurm.log" 2>&1) || {
    tail -n 40 "$DEMO/on_slurm.log"
    job_log="$(find "$DEMO/on_slurm/.snakemake/slurm_logs" -name '*.log' 2>/dev/null | head -n1)"
    [[ -n "$job_log" ]] && { echo "--- one SLURM job log: $job_log"; tail -n 25 "$job_log"; }
    say "SLURM run failed"; exit 1; }
say "SLURM run finished in $(( $(date +%s) - start )) s; $(grep -c 'Submitted batch job\|Job .* has been submitted' \
  "$DEMO/on_slurm.log" || true) submissions logged; jobs seen by slurmctld:"
squeue --states=all -h -o '  %i %j %T %M %C cpus %m' || true

say "workflow locally (snakemake --cores 2) in $DEMO/local"
start=$(date +%s)
(cd "$DEMO/local" && snakemake --cores 2 >"$DEMO/local.log" 2>&1) \
  || { tail -n 40 "$DEMO/local.log"; say "local run failed"; exit 1; }
say "local run finished in $(( $(date +%s) - start )) s"

# --- 6. compare ------------------------------------------------------------------------------------------
"$PYTHON" - "$DEMO/on_slurm" "$DEMO/local" <<'EOF'
import sys
from pathlib import Path

import pandas as pd

slurm_dir, local_dir = Path(sys.argv[1]), Path(sys.argv[2])
tables = sorted((local_dir / "results").glob("*/indicators.csv"))
if not tables:
    sys.exit("no results/*/indicators.csv in the local run")
different = 0
for local_csv in tables:
    relative = local_csv.relative_to(local_dir)
    slurm_csv = slurm_dir / relative
    if not slurm_csv.exists():
        print(f"  {relative}: MISSING from the SLURM run")
        different += 1
        continue
    a, b = pd.read_csv(slurm_csv), pd.read_csv(local_csv)
    same = a.shape == b.shape and a.equals(b)
    values_same = a.shape == b.shape and a["value"].equals(b["value"])
    print(f"  {relative}: {len(a)} rows, values identical: {values_same}, whole table identical: {same}")
    different += not same
print(f"compared {len(tables)} indicators.csv: {'ALL IDENTICAL' if not different else f'{different} DIFFER'}")
sys.exit(1 if different else 0)
EOF
say "done: the SLURM run and the local run agree"
