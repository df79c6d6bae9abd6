# shellcheck shell=sh
# qemu-accel.sh: choose QEMU's accelerator (kvm or tcg) for booting a
# kernel, by trying KVM rather than trusting the device node. POSIX sh, to
# be sourced:
#
#   . kmod/qemu-accel.sh
#   qemu_accel VMLINUZ WORKDIR || exit 1
#   qemu-system-x86_64 -accel "$accel" ...
#
# qemu_accel sets
#   accel           kvm or tcg
#   accel_reason    why, in words
#   accel_probe_ms  how long the probe boot took, in ms (empty: no probe)
# prints one line saying which accelerator and why, and returns 0; it
# returns 1 (with the reason on stderr) only when KVM was forced and cannot
# work, or on a bad setting.
#
# Why a probe: on some machines /dev/kvm exists and answers
# (KVM_GET_API_VERSION, a VM and a vCPU can be created), yet a guest never
# boots under KVM (QEMU warns "host doesn't support requested feature:
# CPUID.01H:ECX.pni" and hangs), while TCG boots it fine. So KVM is chosen
# only when a short boot of VMLINUZ under KVM actually runs the kernel: with
# no initramfs and no root file system the kernel panics at once, and with
# panic=-1 and -no-reboot QEMU then exits by itself. The probe's serial log
# and QEMU output are kept in WORKDIR (accel-probe.serial, accel-probe.out).
#
# Environment:
#   NLKIT_QEMU_ACCEL=auto|kvm|tcg  auto (default) probes; tcg skips the
#                     probe; kvm fails (instead of hanging) when /dev/kvm
#                     is not usable or the probe boot does not pass.
#   NLKIT_QEMU_PROBE_TIMEOUT=N  seconds the probe boot may take (default 20;
#                     a passing probe takes about a second under KVM).
#   NLKIT_KVM_DEVICE=PATH  the KVM device (default /dev/kvm; for tests).
#   NLKIT_QEMU=PATH   the QEMU binary (default qemu-system-x86_64).
#
# The probe boots like the callers do: -machine q35, QEMU's default CPU
# model, one vCPU, no network, serial console to a file, stdin /dev/null.

# _qemu_accel_now_ms prints the time in ms (whole seconds where date(1)
# has no %N).
_qemu_accel_now_ms() {
	_qa_t=$(date +%s%N 2>/dev/null) || _qa_t=
	case $_qa_t in
	'' | *[!0-9]*) echo $(($(date +%s) * 1000)) ;;
	*) echo $((_qa_t / 1000000)) ;;
	esac
}

# _qemu_accel_secs MS prints MS as seconds with one decimal.
_qemu_accel_secs() {
	printf '%d.%d s' $(($1 / 1000)) $((($1 % 1000) / 100))
}

# _qemu_accel_probe VMLINUZ WORKDIR boots VMLINUZ under KVM once. It
# returns 0 if the kernel ran and QEMU exited by itself, else 1; either
# way it sets _qa_why to what happened and accel_probe_ms to how long.
_qemu_accel_probe() {
	_qa_serial="$2/accel-probe.serial"
	_qa_out="$2/accel-probe.out"
	rm -f "$_qa_serial" "$_qa_out"
	_qa_t0=$(_qemu_accel_now_ms)
	_qa_status=0
	timeout -k 5 "$_qa_timeout" "$_qa_qemu" -machine q35 -accel kvm \
		-m 256 -smp 1 -display none -monitor none -nic none -no-reboot \
		-serial "file:$_qa_serial" -kernel "$1" \
		-append 'console=ttyS0 panic=-1' </dev/null >"$_qa_out" 2>&1 ||
		_qa_status=$?
	accel_probe_ms=$(($(_qemu_accel_now_ms) - _qa_t0))

	# What the kernel printed, and the last thing QEMU said.
	_qa_ran=none
	if [ -f "$_qa_serial" ]; then
		if tr -d '\r' <"$_qa_serial" | grep -q 'Kernel panic'; then
			_qa_ran=panic
		elif tr -d '\r' <"$_qa_serial" | grep -q 'Linux version'; then
			_qa_ran=started
		fi
	fi
	_qa_said=$(tr -d '\r' <"$_qa_out" 2>/dev/null | grep -v '^[[:space:]]*$' | tail -n 1 | cut -c 1-200)
	[ -n "$_qa_said" ] && _qa_said="; qemu said: $_qa_said"

	case $_qa_status in
	124 | 137)
		case $_qa_ran in
		none) _qa_why="probe boot under KVM timed out after $_qa_timeout s with no kernel output$_qa_said" ;;
		*) _qa_why="probe boot under KVM timed out after $_qa_timeout s (the kernel started but QEMU did not exit)$_qa_said" ;;
		esac
		return 1
		;;
	127 | 126)
		_qa_why="probe boot under KVM could not run $_qa_qemu (status $_qa_status)$_qa_said"
		return 1
		;;
	0) ;;
	*)
		_qa_why="probe boot under KVM failed: qemu exited with status $_qa_status$_qa_said"
		return 1
		;;
	esac
	case $_qa_ran in
	panic)
		_qa_why="probe boot under KVM ran the kernel to its panic and qemu exited by itself"
		return 0
		;;
	started)
		_qa_why="probe boot under KVM: qemu exited but the kernel stopped before its panic (reset?)$_qa_said"
		;;
	*)
		_qa_why="probe boot under KVM: qemu exited but the serial log shows no kernel output$_qa_said"
		;;
	esac
	return 1
}

# qemu_accel VMLINUZ WORKDIR: see the top of this file.
# shellcheck disable=SC2034 # accel, accel_reason: for the caller
qemu_accel() {
	accel=tcg
	accel_reason=
	accel_probe_ms=
	_qa_mode=${NLKIT_QEMU_ACCEL:-auto}
	_qa_dev=${NLKIT_KVM_DEVICE:-/dev/kvm}
	_qa_qemu=${NLKIT_QEMU:-qemu-system-x86_64}
	_qa_timeout=${NLKIT_QEMU_PROBE_TIMEOUT:-20}

	if [ $# -ne 2 ] || [ -z "$1" ] || [ -z "$2" ]; then
		echo "qemu-accel: FAIL: usage: qemu_accel VMLINUZ WORKDIR" >&2
		return 1
	fi
	case $_qa_mode in
	auto | kvm | tcg) ;;
	*)
		echo "qemu-accel: FAIL: NLKIT_QEMU_ACCEL=$_qa_mode: want auto, kvm or tcg" >&2
		return 1
		;;
	esac
	case $_qa_timeout in
	'' | *[!0-9]* | 0)
		echo "qemu-accel: FAIL: NLKIT_QEMU_PROBE_TIMEOUT=$_qa_timeout: want a whole number of seconds > 0" >&2
		return 1
		;;
	esac

	if [ "$_qa_mode" = tcg ]; then
		accel_reason="forced by NLKIT_QEMU_ACCEL=tcg (no probe)"
		echo "qemu-accel: tcg: $accel_reason"
		return 0
	fi

	_qa_why=
	if [ ! -e "$_qa_dev" ]; then
		_qa_why="$_qa_dev is absent"
	elif [ ! -r "$_qa_dev" ] || [ ! -w "$_qa_dev" ]; then
		_qa_why="$_qa_dev is not readable and writable by $(id -un 2>/dev/null || id -u)"
	elif [ ! -f "$1" ]; then
		_qa_why="no kernel to probe with at $1"
	fi
	if [ -n "$_qa_why" ]; then
		if [ "$_qa_mode" = kvm ]; then
			accel_reason="NLKIT_QEMU_ACCEL=kvm, but $_qa_why"
			echo "qemu-accel: FAIL: $accel_reason" >&2
			return 1
		fi
		accel_reason="$_qa_why (no probe)"
		echo "qemu-accel: tcg: $accel_reason"
		return 0
	fi

	mkdir -p "$2" || {
		echo "qemu-accel: FAIL: cannot create $2" >&2
		return 1
	}
	if _qemu_accel_probe "$1" "$2"; then
		accel=kvm
		if [ "$_qa_mode" = kvm ]; then
			accel_reason="forced by NLKIT_QEMU_ACCEL=kvm; $_qa_why"
		else
			accel_reason=$_qa_why
		fi
		echo "qemu-accel: kvm: $accel_reason (probe $(_qemu_accel_secs "$accel_probe_ms"))"
		return 0
	fi
	if [ "$_qa_mode" = kvm ]; then
		accel_reason="NLKIT_QEMU_ACCEL=kvm, but the $_qa_why"
		echo "qemu-accel: FAIL: $accel_reason (probe $(_qemu_accel_secs "$accel_probe_ms"))" >&2
		return 1
	fi
	accel_reason="$_qa_why; falling back"
	echo "qemu-accel: tcg: $accel_reason (probe $(_qemu_accel_secs "$accel_probe_ms"))"
	return 0
}
