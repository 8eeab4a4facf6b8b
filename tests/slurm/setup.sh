#!/usr/bin/env bash
# A real Slurm cluster on this machine for the Slurm backend's tests: munged,
# slurmctld and one slurmd (this machine) with four fake GPUs, character
# devices made with mknod that gres.conf lists, so `--gres=gpu:N` is really
# scheduled and Slurm sets CUDA_VISIBLE_DEVICES per job.
#
# Idempotent: installs slurm-wlm and munge if missing, rewrites the config,
# and (re)starts only the daemons that are not answering. `stop` ends them.
set -euo pipefail

CONF_DIR=/etc/slurm
STATE=/var/spool/mlci-slurm
LOGS=/var/log/mlci-slurm
NODE=$(hostname -s)
GPUS=4

if [ "${1:-}" = stop ]; then
  for name in slurmd slurmctld; do
    [ -f "$STATE/$name.pid" ] && kill "$(cat "$STATE/$name.pid")" 2>/dev/null || true
  done
  exit 0
fi

if ! command -v slurmctld >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
fi

mkdir -p "$CONF_DIR" "$STATE/ctld" "$STATE/d" "$LOGS" /run/munge
for i in $(seq 0 $((GPUS - 1))); do
  # Major 195 is NVIDIA's; nothing here opens these devices.
  [ -c "/dev/fakegpu$i" ] || mknod "/dev/fakegpu$i" c 195 "$i"
done

cat >"$CONF_DIR/slurm.conf" <<CONF
# Written by mlci's tests/slurm/setup.sh: one node (this machine), 4 fake GPUs.
ClusterName=mlci
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=root
SlurmctldPort=6817
SlurmdPort=6818
AuthType=auth/munge
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/d
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$LOGS/slurmctld.log
SlurmdLogFile=$LOGS/slurmd.log
# No cgroups here (the machine may itself be a container).
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
GresTypes=gpu
# Finished jobs stay visible to squeue/scontrol for 10 minutes (no slurmdbd).
MinJobAge=600
KillWait=5
# A job ends at its --time (the default, written out: the time-limit test
# counts on it). slurmctld checks limits every 30 s; that is not settable.
OverTimeLimit=0
# More CPUs than the machine has, so that GPUs, not cores, bound the jobs.
SlurmdParameters=config_overrides
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=8 RealMemory=4000 Gres=gpu:$GPUS State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
CONF

cat >"$CONF_DIR/gres.conf" <<CONF
AutoDetect=off
NodeName=$NODE Name=gpu File=/dev/fakegpu[0-$((GPUS - 1))]
CONF

# No cgroup.conf: nothing above uses cgroups.
rm -f "$CONF_DIR/cgroup.conf"

if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  chown munge:munge /run/munge
  runuser -u munge -- /usr/sbin/munged --force
fi

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
if alive "$STATE/slurmctld.pid"; then
  scontrol reconfigure >/dev/null 2>&1 || true
else
  slurmctld -c   # -c: a clean start, no jobs left from an earlier cluster
fi
if ! alive "$STATE/slurmd.pid"; then
  slurmd || { tail -n 20 "$LOGS/slurmd.log" >&2; exit 1; }
fi

for _ in $(seq 1 60); do
  state=$(sinfo -h -n "$NODE" -o '%t' 2>/dev/null || true)
  case "$state" in
    idle|mix|alloc) echo "slurm: node $NODE is $state with $GPUS GPUs"; exit 0 ;;
    down*|drain*) scontrol update nodename="$NODE" state=resume >/dev/null 2>&1 || true ;;
  esac
  sleep 1
done
echo "error: the Slurm node $NODE did not become idle; see $LOGS" >&2
sinfo >&2 || true
tail -n 20 "$LOGS/slurmctld.log" "$LOGS/slurmd.log" >&2 || true
exit 1
