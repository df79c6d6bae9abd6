#!/bin/sh
# run-qemu-test.sh: the test of the hello kernel module (kmod/hello) on a
# real Debian kernel. It installs what it lacks (qemu-system-x86, the
# kernel's headers, build-essential, cpio, kmod), builds hello.ko against
# the headers of the kernel Debian ships today, unpacks that kernel's
# vmlinuz from its package (never installing it), builds the static guest
# program (kmod/hello/guest, as /init) and examples/hello, boots the kernel
# under QEMU with them in an initramfs, and prints the guest's summary
# line. It exits 0 only if the guest printed "HELLO-QEMU PASS".
#
# Environment:
#   WRONG_REPLY=1     load the module with wrong_reply=1: the echo checks
#                     must fail, and so must this script.
#   CHECK_NEGATIVE=1  after a passing run, boot again with the wrong reply
#                     and require the echo check to fail (what CI runs).
#   QEMU_TIMEOUT=N    seconds one boot may take (default 240).
#   KEEP=DIR          keep the work files (serial logs, initramfs) in DIR.
#   NLKIT_QEMU_ACCEL=auto|kvm|tcg  the accelerator (kmod/qemu-accel.sh).
#                     auto (default): tcg when /dev/kvm is not usable;
#                     else a short probe boot of the kernel under KVM
#                     decides, tcg when it does not come back. tcg: no
#                     probe. kvm: fail (not hang) when the probe fails.
#   NLKIT_QEMU_PROBE_TIMEOUT=N  seconds the KVM probe boot may take
#                     (default 20).
#   NLKIT_QEMU=PATH   the QEMU binary (default qemu-system-x86_64).
#   NLKIT_KVM_DEVICE=PATH  the KVM device to check (default /dev/kvm).
#
# Run as root on Debian 12 amd64, from anywhere:
#   sh kmod/hello/run-qemu-test.sh
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
export PATH="/usr/local/go/bin:$PATH"
WRONG_REPLY=${WRONG_REPLY:-0}
CHECK_NEGATIVE=${CHECK_NEGATIVE:-0}
QEMU_TIMEOUT=${QEMU_TIMEOUT:-240}
t0=$(date +%s)

say() { printf 'hello-qemu: %s\n' "$*"; }
die() { printf 'hello-qemu: FAIL: %s\n' "$*" >&2; exit 1; }
elapsed() { echo $(($(date +%s) - t0)); }

[ "$(id -u)" = 0 ] || die "run as root (apt-get, and the module build)"
[ "$(uname -m)" = x86_64 ] || die "amd64 only (qemu-system-x86_64 and linux-image-amd64)"

if [ -n "${KEEP:-}" ]; then
	mkdir -p "$KEEP"
	work=$(cd "$KEEP" && pwd)
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/nlkit-hello-qemu.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	trap 'exit 130' INT TERM
fi

# --- packages -------------------------------------------------------------
updated=0
apt_update() {
	if [ $updated = 0 ]; then
		say "apt-get update"
		apt-get update -qq
		updated=1
	fi
}
apt_install() {
	say "installing $*"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >"$work/apt.log" 2>&1 ||
		{ cat "$work/apt.log" >&2; die "apt-get install $*"; }
}

# kernel_abi prints the ABI of the kernel linux-image-amd64 depends on now,
# such as 6.1.0-48-amd64: never written down, the mirror drops old ones.
kernel_abi() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: linux-image-\([0-9].*-amd64\)$/\1/p' | head -n 1
}
candidate() { apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p'; }

# missing sets need to the packages to install for kernel $abi.
missing() {
	need=""
	command -v qemu-system-x86_64 >/dev/null 2>&1 || need="$need qemu-system-x86"
	command -v cpio >/dev/null 2>&1 || need="$need cpio"
	command -v modinfo >/dev/null 2>&1 || need="$need kmod"
	{ command -v make && command -v gcc; } >/dev/null 2>&1 || need="$need build-essential"
	[ -d "/usr/src/linux-headers-$abi" ] || need="$need linux-headers-$abi"
}
# resolve finds the kernel and installs what is missing for it, after
# refreshing the package lists if it must (or if $1 is "update").
resolve() {
	[ "${1:-}" = update ] && apt_update
	abi=$(kernel_abi)
	if [ -z "$abi" ] || [ -z "$(candidate "linux-image-$abi")" ]; then
		apt_update
		abi=$(kernel_abi)
	fi
	[ -n "$abi" ] || die "apt-cache names no kernel for linux-image-amd64"
	missing
	if [ -n "$need" ] && [ $updated = 0 ]; then
		apt_update
		abi=$(kernel_abi)
		missing
	fi
	if [ -n "$need" ]; then
		# shellcheck disable=SC2086 # one word per package
		apt_install $need
	fi
}
resolve

# The image is downloaded, never installed. A stale package list may name
# one the mirror dropped: then refresh it once and start again.
mkdir -p "$work/deb"
if ! (cd "$work/deb" && apt-get download -qq "linux-image-$abi" >/dev/null 2>&1); then
	[ $updated = 0 ] || die "apt-get download linux-image-$abi"
	resolve update
	(cd "$work/deb" && apt-get download -qq "linux-image-$abi" 2>/dev/null) ||
		die "apt-get download linux-image-$abi"
fi
deb=$(ls "$work"/deb/linux-image-"$abi"_*.deb)
image_version=$(dpkg-deb -f "$deb" Version)
headers_version=$(dpkg-query -W -f '${Version}' "linux-headers-$abi")
if [ "$image_version" != "$headers_version" ]; then
	apt_update
	apt_install "linux-headers-$abi"
	headers_version=$(dpkg-query -W -f '${Version}' "linux-headers-$abi")
	[ "$image_version" = "$headers_version" ] ||
		die "linux-image-$abi is $image_version but its headers are $headers_version"
fi
mkdir -p "$work/kernel"
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work/kernel" "./boot/vmlinuz-$abi"
vmlinuz="$work/kernel/boot/vmlinuz-$abi"
rm -f "$deb"
say "kernel $abi ($image_version), packages ready after $(elapsed) s"

# --- module ---------------------------------------------------------------
# Built in the work directory, so that the source tree stays clean.
mkdir -p "$work/module"
cp "$here/hello.c" "$here/Kbuild" "$work/module/"
if ! make -C "/usr/src/linux-headers-$abi" M="$work/module" modules >"$work/build.log" 2>&1; then
	cat "$work/build.log" >&2
	die "module build failed"
fi
if grep -q 'hello\.c:.*warning:' "$work/build.log"; then
	cat "$work/build.log" >&2
	die "hello.c compiles with warnings"
fi
vermagic=$(modinfo -F vermagic "$work/module/hello.ko")
case "$vermagic" in
"$abi "*) ;;
*) die "vermagic '$vermagic' is not for $abi" ;;
esac
say "hello.ko built, vermagic $vermagic"

# --- initramfs: /init (the guest), /hello.ko, /bin/hello ------------------
root="$work/root"
mkdir -p "$root/bin"
cp "$work/module/hello.ko" "$root/hello.ko"
(cd "$repo" &&
	CGO_ENABLED=0 go build -trimpath -o "$root/init" ./kmod/hello/guest &&
	CGO_ENABLED=0 go build -trimpath -o "$root/bin/hello" ./examples/hello) ||
	die "go build"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initrd.gz"
say "initramfs ready after $(elapsed) s"

# --- boot -------------------------------------------------------------------
# KVM only if a short probe boot of this kernel under KVM works (see
# kmod/qemu-accel.sh): /dev/kvm alone has been seen to hang the boot.
# shellcheck source-path=SCRIPTDIR source=../qemu-accel.sh
. "$repo/kmod/qemu-accel.sh"
qemu_accel "$vmlinuz" "$work" || die "no usable accelerator"

# boot NAME WRONG boots the kernel; the summary line goes to $summary.
boot() {
	name=$1
	append="console=ttyS0 panic=-1 quiet"
	[ "$2" = 1 ] && append="$append hello.wrong_reply=1"
	serial="$work/serial-$name.log"
	b0=$(date +%s)
	status=0
	rm -f "$serial" "$serial.txt" # never read an earlier boot's result
	timeout -k 10 "$QEMU_TIMEOUT" "${NLKIT_QEMU:-qemu-system-x86_64}" -machine q35 -accel "$accel" \
		-m 512 -smp 1 -display none -monitor none -nic none -no-reboot \
		-serial "file:$serial" -kernel "$vmlinuz" -initrd "$work/initrd.gz" \
		-append "$append" </dev/null >"$work/qemu-$name.out" 2>&1 || status=$?
	if [ -f "$serial" ]; then
		tr -d '\r' <"$serial" >"$serial.txt"
	else
		: >"$serial.txt"
	fi
	say "boot '$name' ($append): qemu status $status after $(($(date +%s) - b0)) s"
	grep -E '^(ok   |FAIL |     |klog: )' "$serial.txt" | sed 's/^/  | /' || true
	summary=$(grep -E '^HELLO-QEMU (PASS|FAIL)' "$serial.txt" | tail -n 1 || true)
	if [ -z "$summary" ]; then
		[ "$status" = 124 ] && say "qemu timed out after $QEMU_TIMEOUT s"
		say "no summary line; the end of the serial console:"
		tail -n 40 "$serial.txt" | sed 's/^/  | /'
		sed 's/^/  qemu: /' "$work/qemu-$name.out"
		summary="HELLO-QEMU FAIL: no summary line"
	elif [ "$status" != 0 ]; then
		summary="HELLO-QEMU FAIL: qemu exited with status $status after: $summary"
	fi
}

if [ "$WRONG_REPLY" = 1 ]; then
	boot wrong-reply 1
else
	boot normal 0
fi
printf '%s\n' "$summary"
case "$summary" in
"HELLO-QEMU PASS "*) ;;
*)
	say "failed after $(elapsed) s"
	exit 1
	;;
esac

if [ "$CHECK_NEGATIVE" = 1 ] && [ "$WRONG_REPLY" != 1 ]; then
	passed=$summary
	boot wrong-reply 1
	printf '%s\n' "$summary"
	case "$summary" in
	"HELLO-QEMU FAIL "*"echo: reply "*) say "as it must, the test fails when the module's reply is wrong" ;;
	*) die "with wrong_reply=1 the echo check did not fail" ;;
	esac
	summary=$passed
fi
say "done in $(elapsed) s: $summary"
