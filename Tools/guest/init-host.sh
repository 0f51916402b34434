#!/bin/busybox sh
# /init of the initramfs for Linux as the normal-world host (Docs/guest.md).

/bin/busybox mkdir -p /proc /sys /dev /tmp /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

echo "TMM-HOST: init reached"
echo "TMM-HOST: cpus online $(cat /sys/devices/system/cpu/online), $(grep -c '^processor' /proc/cpuinfo) in /proc/cpuinfo"
if [ -c /dev/kvm ]; then
	echo "TMM-HOST: /dev/kvm present"
else
	echo "TMM-HOST: no /dev/kvm"
fi

for word in $(cat /proc/cmdline); do
	[ "$word" = tmm.shell=1 ] && setsid cttyhack sh
done
echo "TMM-HOST: powering off"
poweroff -f
echo "TMM-HOST: poweroff failed"
while true; do sleep 60; done
