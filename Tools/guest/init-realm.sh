#!/bin/busybox sh
# /init of the realm guest's initramfs. The contract (markers, command-line words) is in
# Docs/guest.md; a host-side script relies on the exact marker lines.

/bin/busybox mkdir -p /proc /sys /dev /tmp /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

# Dependencies first (written by Tools/guest/guest.py from the modules' .modinfo).
while read -r module; do
	insmod "/lib/modules/$module.ko" || echo "TMM-GUEST: insmod $module failed"
done < /etc/modules-load
mount -t configfs configfs /sys/kernel/config

echo "TMM-GUEST: init reached"

challenge=""
shell=""
bench=""
for word in $(cat /proc/cmdline); do
	case "$word" in
	tmm.challenge=*) challenge="${word#tmm.challenge=}" ;;
	tmm.shell=1) shell=1 ;;
	tmm.bench=1) bench=1 ;;
	esac
done

# An attestation token for the challenge through configfs-tsm (the arm-cca-guest provider asks
# the RMM with RSI_ATTEST_TOKEN_INIT/CONTINUE), printed as hex between the marker lines.
token() {
	case "$1" in
	*[!0-9a-fA-F]*) echo "TMM-GUEST: token error: challenge is not hex"; return 1 ;;
	esac
	if [ $((${#1} % 2)) -ne 0 ]; then
		echo "TMM-GUEST: token error: challenge has an odd number of hex digits"
		return 1
	fi
	report=/sys/kernel/config/tsm/report/tmm
	if ! mkdir "$report"; then
		echo "TMM-GUEST: token error: no configfs-tsm report (no provider registered)"
		return 1
	fi
	if ! echo "$1" | xxd -r -p > "$report/inblob"; then
		echo "TMM-GUEST: token error: inblob rejected the challenge"
		rmdir "$report"
		return 1
	fi
	if ! xxd -p -c 32 "$report/outblob" > /tmp/token.hex; then
		echo "TMM-GUEST: token error: reading outblob failed"
		rmdir "$report"
		return 1
	fi
	echo "TMM-GUEST: token provider $(cat "$report/provider"), generation $(cat "$report/generation"), $(wc -c < "$report/outblob") bytes"
	echo "TMM-GUEST: TOKEN BEGIN"
	cat /tmp/token.hex
	echo "TMM-GUEST: TOKEN END"
	rmdir "$report"
}

# The fixed workload `make bench-linux` counts between the markers (Docs/guest.md): a CPU and
# memory part (4 MiB written to the initramfs's RAM-backed root and hashed twice) and an I/O
# part through the emulated UART (64 lines of 72 characters on the console).
workload() {
	echo "TMM-GUEST: bench cpu begin"
	dd if=/dev/zero of=/tmp/bench bs=4096 count=1024 2>/dev/null
	sha256sum /tmp/bench > /dev/null
	md5sum /tmp/bench > /dev/null
	rm /tmp/bench
	echo "TMM-GUEST: bench cpu end"
	echo "TMM-GUEST: bench io begin"
	i=0
	while [ $i -lt 64 ]; do
		echo "TMM-GUEST: io $i 0123456789abcdef0123456789abcdef0123456789abcdef01234567"
		i=$((i + 1))
	done
	echo "TMM-GUEST: bench io end"
	# poweroff -f does not wait for the console to drain what is still queued.
	sleep 1
}

if [ -n "$bench" ]; then
	workload
fi
if [ -n "$challenge" ]; then
	token "$challenge"
fi
if [ -n "$shell" ]; then
	setsid cttyhack sh
fi
echo "TMM-GUEST: powering off"
poweroff -f
echo "TMM-GUEST: poweroff failed"
while true; do sleep 60; done
