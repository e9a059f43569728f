#!/bin/sh
# /init of the oracle's guest: mount the pseudo filesystems, load the pmem, DAX, filesystem and
# hwpoison-inject modules, run the case script under the daxprobe supervisor, power off.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tmpfs tmp /tmp
echo "ORACLE: kernel $(uname -r) up at $(cut -d' ' -f1 /proc/uptime)s"
for m in $(cat /modules/order); do insmod /modules/$m 2>/dev/null || echo "ORACLE: insmod $m failed"; done
if [ -f /oracle/case.sh ]; then
  /usr/bin/daxprobe supervise /oracle/case.sh
else
  echo "ORACLE: no case script"
fi
echo "ORACLE: done at $(cut -d' ' -f1 /proc/uptime)s"
# sync in the background: after an oops it can block forever
sync & sleep 1
poweroff -f
