# Shell functions of the oracle's generated case scripts (sourced by /oracle/case.sh).
# Every observation is a line on the console: ORACLE-* for set-up and the run, RESULT for what a
# task or a step saw, KLOG <step> for the kernel log of each step (dmesg -c after the step).
O=/tmp/o
MNT=/mnt/x
SRC=/tmp/o/src
CUR=""
mkdir -p $O/t $MNT
: > $O/live
dmesg -c > /dev/null 2>&1   # the boot's messages are not the case's

o_klog() { dmesg -c 2>/dev/null | sed -e 's/^\[[ 0-9.]*\] //' -e "s/^/KLOG $1 /"; }

# o_namespace MODE MEMMAP [ALIGN]: the emulated NVDIMM's label-less region as one namespace
# (fsdax: /dev/pmem0; devdax: $DAXDEV, the character device, e.g. /dev/dax0.0)
o_namespace() {
  a=""; [ -n "$3" ] && a="-a $3"
  ndctl create-namespace -f -e namespace0.0 -m "$1" -M "$2" $a > $O/ns.json 2>&1 \
    || ndctl create-namespace -m "$1" -M "$2" $a > $O/ns.json 2>&1
  echo "ORACLE-NS: $(tr -d ' \n' < $O/ns.json)"
  DAXDEV=$(ls -d /dev/dax* 2>/dev/null | head -1)
  [ -z "$DAXDEV" ] || echo "ORACLE-DAX: $DAXDEV"
  BASEPFN=""
  for d in /sys/bus/nd/devices/pfn* /sys/bus/nd/devices/dax*; do
    r=$(cat $d/resource 2>/dev/null); [ -n "$r" ] && [ -n "$(cat $d/namespace 2>/dev/null)" ] || continue
    BASEPFN=$(printf '0x%x' $(( r / 4096 )))
    echo "ORACLE-PMEM: pfn device $(basename $d) resource=$r size=$(cat $d/size 2>/dev/null) align=$(cat $d/align 2>/dev/null) data_start_pfn=$BASEPFN"
  done
}

# o_mkfs TYPE OPTIONS... / o_mount TYPE MOUNTOPTS
o_mkfs() {
  t=$1; shift
  case $t in
    xfs) mkfs.xfs -f "$@" /dev/pmem0 > $O/mkfs.log 2>&1 ;;
    ext4) mkfs.ext4 -F -q "$@" /dev/pmem0 > $O/mkfs.log 2>&1 ;;
    # EROFS is built from the source tree $SRC into an image, then written to the device
    erofs) mkfs.erofs "$@" $O/erofs.img $SRC > $O/mkfs.log 2>&1 \
             && dd if=$O/erofs.img of=/dev/pmem0 bs=1M conv=fsync >> $O/mkfs.log 2>&1 && rm -f $O/erofs.img ;;
  esac
  r=$?; echo "ORACLE-MKFS: $t $* rc=$r"
  [ $r -eq 0 ] || sed 's/^/ORACLE-MKFS-LOG: /' $O/mkfs.log
}
o_mount() {
  e=$(mount -t "$1" -o "$2" /dev/pmem0 $MNT 2>&1); r=$?
  echo "ORACLE-MOUNT: $1 -o $2 rc=$r $e"
  [ -z "$CUR" ] || echo "RESULT step=$CUR task=- event=result what=mount rc=$r"
  grep -q "^/dev/pmem0 $MNT " /proc/mounts && echo "ORACLE-MOUNTED: $(grep "^/dev/pmem0 $MNT " /proc/mounts)"
}
o_umount() { e=$(umount $MNT 2>&1); r=$?; echo "ORACLE-UMOUNT: rc=$r $e"
             [ $r -eq 0 ] || echo "RESULT step=$CUR task=- event=result what=umount rc=$r"; }
o_sysctl() { echo "$1" > /proc/sys/vm/memory_failure_early_kill; echo "$2" > /proc/sys/vm/memory_failure_recovery
             echo "ORACLE-SYSCTL: early_kill=$(cat /proc/sys/vm/memory_failure_early_kill) recovery=$(cat /proc/sys/vm/memory_failure_recovery)"; }
# o_dax FILE: whether the file is DAX (statx STATX_ATTR_DAX, via xfs_io when present)
o_files_done() {
  for f in "$@"; do
    a=$(xfs_io -r -c 'statx -r' "$MNT$f" 2>/dev/null | sed -n 's/^stat.attributes = //p')
    x=$(xfs_io -r -c 'fiemap -v' "$MNT$f" 2>/dev/null | awk '$1 ~ /^[0-9]+:$/ { printf "%s%s", s, $3; s=" " }')
    echo "ORACLE-FILE: $f attributes=${a:-?} extents(512-byte sectors)=${x:-none}"
  done
  echo "ORACLE: setup done at $(cut -d' ' -f1 /proc/uptime)s"
  o_klog 0
}

o_step() { CUR=$1; echo "ORACLE-STEP: $1 $2"; }
o_pid() { cat $O/t/$1/pid 2>/dev/null; }
o_dead() { p=$(o_pid $1); [ -n "$p" ] && [ -e $O/dead.$p ]; }

# o_send TASK STEP COMMAND...: hand a command to a task and wait until it is done or the task died
# (30 s nominal; an unbind, which waits for the filesystem and its pages to let go, ten times that)
o_send() {
  t=$1; s=$2; shift 2
  w=1500; [ "$1" = unbind ] && w=15000
  if o_dead $t || [ ! -d $O/t/$t ]; then [ "$1" = report ] || echo "RESULT step=$s task=$t event=result what=$1 rc=not-run"; return; fi
  n=$(( $(cat $O/t/$t/seq 2>/dev/null || echo 0) + 1 )); echo $n > $O/t/$t/seq
  echo "$s $*" > $O/t/$t/.cmd; mv $O/t/$t/.cmd $O/t/$t/cmd.$n
  i=0; while [ ! -e $O/t/$t/ack.$n ] && ! o_dead $t && [ $i -lt $w ]; do sleep 0.02; i=$((i+1)); done
  [ -e $O/t/$t/ack.$n ] || o_dead $t || echo "RESULT step=$s task=$t event=result what=$1 rc=timeout"
}
o_wait_started() { i=0; while [ ! -e $O/t/$1/pid ] && [ $i -lt 500 ]; do sleep 0.02; i=$((i+1)); done; echo "$1" >> $O/live; }

# o_spawn STEP TASK COMM SIGBUS POLICY
o_spawn() { s=$1; shift; daxprobe agent "$1" "$2" "$3" "$4"; o_wait_started "$1"; echo "RESULT step=$s task=$1 event=result what=spawn rc=0"; }
# o_fork STEP PARENT CHILD COMM SIGBUS
o_fork() { o_send "$2" "$1" fork "$3" "$4" "$5"; o_dead "$2" || o_wait_started "$3"; }
# o_thread STEP TASK THREAD: a scenario thread of TASK (pthread_create in the agent) with its own command loop
o_thread() { o_send "$2" "$1" thread "$3"; o_dead "$2" || o_wait_started "$3"; }
o_exit() { o_send "$2" "$1" exit; i=0; while ! o_dead "$2" && [ $i -lt 250 ]; do sleep 0.02; i=$((i+1)); done; }

# o_after STEP: let signals land, then each task's exit or signals, then the step's kernel log
o_after() {
  sleep 0.3
  for t in $(cat $O/live); do
    [ -e $O/t/$t/gone ] && continue
    o_send $t $1 report
    # a task killed during the step may still be on its way out: give the supervisor a moment
    i=0; while ! o_dead $t && [ ! -e $O/t/$t/ack.$(cat $O/t/$t/seq 2>/dev/null) ] && [ $i -lt 50 ]; do sleep 0.02; i=$((i+1)); done
    if o_dead $t; then echo "RESULT step=$1 task=$t event=exit status=$(cat $O/dead.$(o_pid $t))"; touch $O/t/$t/gone; fi
  done
  o_klog $1
}

# o_mce STEP FILE OFF: an asynchronous machine check (SRAO: a memory scrubbing error, UC and S set,
# AR clear; MCi_MISC: physical address mode, lsb 12) at the file offset's guest-physical address,
# injected by the host through the QEMU monitor; the kernel takes it as arch/x86 mce does a
# patrol-scrub error (mce_log, then the notifier chain: nfit_handle_mce() records the bad range,
# uc_decode_notifier() calls memory_failure()). The step then waits for the log to settle.
o_mce() {
  a=$(daxprobe phys "$2" "$3" "$BASEPFN") || { echo "RESULT step=$1 task=- event=result what=machine-check rc=no-extent"; return; }
  o_mce_at "$1" "$a"
}
# o_mce_dev STEP DEVOFF: the same at a byte offset of the device's data
o_mce_dev() { o_mce_at "$1" "$(printf '0x%x' $(( BASEPFN * 4096 + $2 )))"; }
# o_seen MAP OFF: the pfn the mapping MAP saw at byte offset OFF (the agents' pagemap records), or fails
o_seen() { awk -v p=$(( $2 / 4096 )) '$1 == p { v = $2 } END { if (v == "") exit 1; print v }' /tmp/o/seen.$1 2>/dev/null; }
o_mce_at() {
  a=$2
  echo "ORACLE-HOSTCMD: mce -b 0 9 0xbd000000000000c0 0x5 $a 0x8c"
  i=0; while ! dmesg | grep -q -e 'Memory failure' -e 'recovery action' && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
  sleep 1
  echo "RESULT step=$1 task=- event=note what=machine-check address=$a"
}

# o_meta NAME ARG: the device byte offset of a piece of filesystem metadata, read from the real
# filesystem (the names the plugins resolve: xfs sb|agf|agi|agfl N, bnobt|cntbt|rmapbt|refcountbt|inobt|finobt N,
# log, inodes|inode|attr PATH; ext4 inode-table N,
# block-bitmap N, xattr-block PATH; erofs inode PATH). Prints nothing and fails when it cannot be found.
o_xsb() { xfs_db -r -c 'sb 0' -c "p $1" /dev/pmem0 2>/dev/null | awk '{print $3}'; }
# o_xfsb FSBLOCK: an XFS fsblock number (AG number above agblklog bits) as a device byte offset.
o_xfsb() {
  ab=$(o_xsb agblocks); bs=$(o_xsb blocksize); al=$(o_xsb agblklog)
  [ -n "$1" ] && [ -n "$ab" ] && [ -n "$bs" ] && [ -n "$al" ] && echo $(( (($1 >> al) * ab + ($1 & ((1 << al) - 1))) * bs ))
}
o_meta() {
  case "$1" in
    sb|agf|agi|agfl)
      ab=$(o_xsb agblocks); bs=$(o_xsb blocksize); ss=$(o_xsb sectsize)
      case "$1" in sb) k=0 ;; agf) k=1 ;; agi) k=2 ;; *) k=3 ;; esac
      [ -n "$ab" ] && [ -n "$bs" ] && [ -n "$ss" ] && echo $(( $2 * ab * bs + k * ss )) ;;
    bnobt|cntbt|rmapbt|refcountbt|inobt|finobt)
      case "$1" in
        bnobt) h=agf; f=bnoroot ;; cntbt) h=agf; f=cntroot ;; rmapbt) h=agf; f=rmaproot ;;
        refcountbt) h=agf; f=refcntroot ;; inobt) h=agi; f=root ;; *) h=agi; f=free_root ;;
      esac
      r=$(xfs_db -r -c "$h $2" -c "p $f" /dev/pmem0 2>/dev/null | awk '$1 == "'"$f"'" {print $3}')
      ab=$(o_xsb agblocks); bs=$(o_xsb blocksize)
      [ -n "$r" ] && [ "$r" != 0 ] && [ -n "$ab" ] && [ -n "$bs" ] && echo $(( ($2 * ab + r) * bs )) ;;
    log)
      o_xfsb "$(o_xsb logstart)" ;;
    inodes|inode)
      i=$(stat -c %i "$MNT$2" 2>/dev/null)
      [ -n "$i" ] || return 1
      if [ "$MNTTYPE" = erofs ]; then
        # EROFS: the inode number is its nid; the inode is at meta_blkaddr * 4096 + nid * 32
        # (fs/erofs/erofs_fs.h: struct erofs_super_block at 1024, meta_blkaddr at byte 40 of it)
        mb=$(od -An -tu4 -j1064 -N4 /dev/pmem0 2>/dev/null | tr -d ' ')
        [ -n "$mb" ] && echo $(( mb * 4096 + i * 32 ))
        return
      fi
      [ "$1" = inodes ] && i=$(( i & ~63 ))
      b=$(xfs_db -r -c "convert inode $i fsblock" /dev/pmem0 2>/dev/null | sed -n 's/.*(\([0-9]*\)).*/\1/p' | head -1)
      o_xfsb "$b" ;;
    attr)
      x=$(xfs_io -c 'fiemap -a' "$MNT$2" 2>/dev/null | awk '$1=="0:" { split($3, a, "[.][.]"); sub(/\[/, "", a[1]); print a[1]; exit }')
      [ -n "$x" ] && echo $(( x * 512 )) ;;
    inode-table|block-bitmap)
      [ "$1" = inode-table ] && w="Inode table at" || w="Block bitmap at"
      b=$(dumpe2fs /dev/pmem0 2>/dev/null | awk -v g="Group $2:" -v w="$w" 'index($0, g) == 1 { f = 1; next } f && index($0, w) { split($0, p, w " "); split(p[2], q, "[- ]"); print q[1]; exit }')
      [ -n "$b" ] && echo $(( b * 4096 )) ;;
    xattr-block)
      b=$(debugfs -R "stat $2" /dev/pmem0 2>/dev/null | sed -n 's/.*File ACL: \([0-9]*\).*/\1/p' | head -1)
      [ -n "$b" ] && [ "$b" != 0 ] && echo $(( b * 4096 )) ;;
  esac
}

o_finish() {
  for t in $(cat $O/live); do [ -e $O/t/$t/gone ] || o_dead $t || o_send $t end exit; done
  if grep -q " $MNT " /proc/mounts; then e=$(touch $MNT/.oracle-fscheck 2>&1); echo "ORACLE-FSCHECK: touch rc=$? $e"; fi
  cd /
  ( umount $MNT 2>&1 | sed 's/^/ORACLE-UMOUNT: /' ) & UP=$!; i=0
  while kill -0 $UP 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
  kill -0 $UP 2>/dev/null && echo "ORACLE-UMOUNT: still blocked after 10s"
  o_klog end
}
