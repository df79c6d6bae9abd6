#!/bin/sh
# run.sh: the kernel matrix. Runs nlkit's privileged test binaries on
# Debian's kernels under QEMU (5.10 bullseye, 6.1 bookworm, 6.12
# bookworm-backports, the newest in sid) and on the host's own kernel,
# and reports per kernel, package and test: passed, failed, skipped with
# the reason. See kmatrix/README.md.
#
#   sh kmatrix/run.sh [-k KERNELS] [-p PKGS] [-r REGEX] [-C REPO] [-o OUTDIR] [-w]
#
#   -k KERNELS  comma list of 5.10,6.1,6.12,7,host or "all" (default all)
#   -p PKGS     go package patterns, space or comma separated, relative to
#               REPO (default: the packages with privileged kernel tests;
#               "none": no package, with NLKIT_MATRIX_SELFTEST=1)
#   -r REGEX    passed to every test binary as -test.run
#   -C REPO     the repository (or worktree) whose tests are built
#               (default: the one this script is in)
#   -o OUTDIR   where logs and the report go (default: a new temp dir)
#   -w          also write the report to REPO's docs/KERNEL-MATRIX.md
#
# Run as root on Debian 12 amd64. Exits 0 iff every kernel booted, ran
# every binary to its end, and no test failed.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
self_repo=$(cd "$here/.." && pwd)
export PATH="/usr/local/go/bin:$PATH"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"

usage() {
	sed -n '/^#   sh kmatrix/,/^#   -w /p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

kernels=all
pkgs=""
regex=""
repo=$self_repo
outdir=""
write_docs=0
while getopts k:p:r:C:o:wh opt; do
	case $opt in
	k) kernels=$OPTARG ;;
	p) pkgs=$OPTARG ;;
	r) regex=$OPTARG ;;
	C) repo=$OPTARG ;;
	o) outdir=$OPTARG ;;
	w) write_docs=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# = 0 ] || usage

# The default packages: those whose tests talk to the kernel (links,
# addresses, routes, namespaces, sockets, the CLI against ip -j).
DEFAULT_PKGS="./nl ./rtnl ./netns/... ./usersock ./internal/kfeature ./genl ./wireguard ./cmd/nlctl/internal/iproute ./cmd/nlctl/internal/bridge ./cmd/nlctl/internal/wgcmd ./cmd/nlctl/internal/exporter ./cmd/nlctl/internal/usersockcmd"
[ -n "$pkgs" ] || pkgs=${NLKIT_KMATRIX_PKGS:-$DEFAULT_PKGS}
pkgs=$(printf '%s' "$pkgs" | tr ',' ' ')
[ "$kernels" = all ] && kernels=5.10,6.1,6.12,7,host
kernels=$(printf '%s' "$kernels" | tr ',' ' ')
for k in $kernels; do
	case $k in
	5.10 | 6.1 | 6.12 | 7 | host) ;;
	*)
		echo "kmatrix: unknown kernel '$k' (want 5.10, 6.1, 6.12, 7, host or all)" >&2
		exit 2
		;;
	esac
done

# The modules the tests may need, with the parameters that keep them from
# creating devices by themselves. A kernel without one of them lacks it:
# the tests detect that and skip.
DEFAULT_MODULES="crc32c_generic crc32c_cryptoapi dummy:numdummies=0 8021q bonding:max_bonds=0 vrf ipvlan ipvtap macvlan macvtap
wireguard ip_gre ip6_gre ipip sit ip6_tunnel fou fou6 geneve vxlan veth bridge ifb:numifbs=0 tun nlmon
nfnetlink nf_tables nf_conntrack nf_conntrack_netlink nfnetlink_queue nfnetlink_log
nft_ct nft_nat nf_nat sch_netem sch_htb sch_ingress cls_u32 cls_flower act_mirred act_gact"
modules=${NLKIT_KMATRIX_MODULES:-$DEFAULT_MODULES}
BOOT_TIMEOUT=${NLKIT_KMATRIX_BOOT_TIMEOUT:-5400}
TEST_TIMEOUT=${NLKIT_KMATRIX_TEST_TIMEOUT:-60m}
MEM=${NLKIT_KMATRIX_MEM:-3072}
SMP=${NLKIT_KMATRIX_SMP:-1}
cache=${NLKIT_KMATRIX_CACHE:-/var/cache/nlkit-kmatrix}
APT_MAX_AGE_MIN=${NLKIT_KMATRIX_APT_MAX_AGE:-360}

t0=$(date +%s)
say() { printf 'kmatrix: %s\n' "$*"; }
die() {
	printf 'kmatrix: FAIL: %s\n' "$*" >&2
	exit 1
}
elapsed() { echo $(($(date +%s) - t0)); }

[ "$(id -u)" = 0 ] || die "run as root (QEMU, apt-get, and tests that need root)"
[ "$(uname -m)" = x86_64 ] || die "amd64 only"
repo=$(cd "$repo" && pwd) || die "no repository at $repo"
[ -f "$repo/go.mod" ] || die "$repo has no go.mod"

if [ -z "$outdir" ]; then
	outdir=$(mktemp -d "${TMPDIR:-/tmp}/nlkit-kmatrix.XXXXXX")
else
	mkdir -p "$outdir"
	outdir=$(cd "$outdir" && pwd)
fi
say "results in $outdir"
mkdir -p "$cache"

# --- host packages ----------------------------------------------------------
need=""
command -v qemu-system-x86_64 >/dev/null 2>&1 || need="$need qemu-system-x86"
command -v cpio >/dev/null 2>&1 || need="$need cpio"
command -v modinfo >/dev/null 2>&1 || need="$need kmod"
command -v xz >/dev/null 2>&1 || need="$need xz-utils"
command -v zstd >/dev/null 2>&1 || need="$need zstd"
command -v ping >/dev/null 2>&1 || need="$need iputils-ping"
command -v ip >/dev/null 2>&1 || need="$need iproute2"
command -v setpriv >/dev/null 2>&1 || need="$need util-linux"
if [ -n "$need" ]; then
	say "installing$need"
	apt-get update -qq >/dev/null
	# shellcheck disable=SC2086 # one word per package
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >"$outdir/apt-install.log" 2>&1 ||
		{
			cat "$outdir/apt-install.log" >&2
			die "apt-get install$need"
		}
fi

# --- test binaries -------------------------------------------------------
# Built once for every kernel: static, so that they run in the initramfs.
stage="$outdir/stage"
rm -rf "$stage"
mkdir -p "$stage/kmatrix/bin" "$stage/kmatrix/src"
: >"$stage/kmatrix/tests.list"
# build_tests MODROOT PATTERNS... builds the test binaries of the patterns'
# packages that have tests, into the stage.
build_tests() {
	mroot=$1
	shift
	list=$(cd "$mroot" && go list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}	{{.Dir}}{{end}}' "$@") ||
		die "go list $* in $mroot"
	printf '%s\n' "$list" | while IFS='	' read -r ip dir; do
		[ -n "$ip" ] || continue
		n=$(printf '%s' "$ip" | sed 's|^github.com/||; s|[/.]|_|g')
		(cd "$mroot" && CGO_ENABLED=0 go test -c -o "$stage/kmatrix/bin/$n.test" "$ip") ||
			die "go test -c $ip"
		[ -f "$stage/kmatrix/bin/$n.test" ] || continue
		# What the tests read relative to their package: its files
		# (some tests parse the package's sources) and testdata.
		mkdir -p "$stage/kmatrix/src/$ip"
		for f in "$dir"/*; do
			[ -f "$f" ] && cp "$f" "$stage/kmatrix/src/$ip/"
		done
		[ -d "$dir/testdata" ] && cp -r "$dir/testdata" "$stage/kmatrix/src/$ip/"
		printf '%s\t%s\t%s\n' "$n.test" "$ip" "$ip" >>"$stage/kmatrix/tests.list"
	done
}
say "building test binaries from $repo: $pkgs"
# shellcheck disable=SC2086 # patterns are words
[ "$pkgs" = none ] || build_tests "$repo" $pkgs
if [ "${NLKIT_MATRIX_SELFTEST:-0}" = 1 ]; then
	say "NLKIT_MATRIX_SELFTEST=1: adding the runner's selftest package"
	build_tests "$self_repo" ./kmatrix/selftest
	echo "NLKIT_MATRIX_SELFTEST=1" >>"$stage/kmatrix/env"
fi
[ -s "$stage/kmatrix/tests.list" ] || die "no package with tests in: $pkgs"
{
	[ -n "$regex" ] && printf '%s\n' "-test.run=$regex"
	printf '%s\n' "-test.timeout=$TEST_TIMEOUT"
} >"$stage/kmatrix/args"
(cd "$self_repo" && CGO_ENABLED=0 go build -trimpath -o "$stage/init" ./kmatrix/guest) || die "go build kmatrix/guest"
(cd "$self_repo" && go build -o "$outdir/kmatrix-report" ./kmatrix/report) || die "go build kmatrix/report"
say "$(wc -l <"$stage/kmatrix/tests.list") test binaries ready after $(elapsed) s"

# --- the guest's user space: host binaries and their libraries -------------
userland="$outdir/userland"
rm -rf "$userland"
mkdir -p "$userland"
# Mirror the host's merged-/usr links.
for d in bin sbin lib lib64; do
	if [ -L "/$d" ]; then
		ln -s "$(readlink "/$d")" "$userland/$d"
		mkdir -p "$userland/usr/$d"
	else
		mkdir -p "$userland/$d"
	fi
done
mkdir -p "$userland/etc" "$userland/usr/bin" "$userland/usr/sbin"
copy_file() { # copy_file PATH: the file (followed) at the same path
	[ -e "$1" ] || return 0
	mkdir -p "$userland$(dirname "$1")"
	cp -L "$1" "$userland$1"
}
copy_bin() {
	p=$(command -v "$1" 2>/dev/null) || {
		say "note: $1 not on the host, not in the guest"
		return 0
	}
	copy_file "$p"
	ldd "$p" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p' |
		while read -r lib; do copy_file "$lib"; done
}
for b in ${NLKIT_KMATRIX_BINS:-sh ip bridge tc ss ping sysctl sleep setpriv true false cat nsenter unshare}; do copy_bin "$b"; done
for f in /etc/passwd /etc/group /etc/hosts /etc/hostname /etc/protocols /etc/services /etc/nsswitch.conf; do copy_file "$f"; done
[ -f "$userland/etc/hostname" ] || echo kmatrix >"$userland/etc/hostname"
for d in /etc/iproute2 /usr/share/iproute2 /usr/lib/iproute2; do
	[ -d "$d" ] && mkdir -p "$userland$(dirname "$d")" && cp -rL "$d" "$userland$d"
done

# --- kernels ---------------------------------------------------------------
# apt_k SUITE ARGS... runs apt-get/apt-cache with a private state for SUITE
# (the system's sources are never touched).
apt_opts() {
	d="$cache/apt/$1"
	echo "-o Dir::Etc::sourcelist=$d/sources.list -o Dir::Etc::sourceparts=- -o Dir::State::Lists=$d/lists -o Dir::Cache=$d/cache -o Dir::State::status=/dev/null -o Debug::NoLocking=1"
}
suite_mirror() {
	m=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
	[ -n "$m" ] || m=$(awk '$1 == "deb" && $0 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
	case $m in
	*security*) m="" ;;
	esac
	echo "${m:-http://deb.debian.org/debian}"
}
apt_update_suite() { # SUITE: refresh its lists when older than APT_MAX_AGE_MIN
	d="$cache/apt/$1"
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(suite_mirror) $1 main" >"$d/sources.list"
	if [ -f "$d/updated" ] && [ -z "$(find "$d/updated" -mmin +"$APT_MAX_AGE_MIN")" ] && [ "${2:-}" != force ]; then
		return 0
	fi
	# shellcheck disable=SC2046 # options are words
	apt-get $(apt_opts "$1") update -qq >"$d/update.log" 2>&1 || {
		cat "$d/update.log" >&2
		return 1
	}
	touch "$d/updated"
}
apt_depends() { # SUITE PACKAGE: the names it depends on
	# shellcheck disable=SC2046
	apt-cache $(apt_opts "$1") depends "$2" 2>/dev/null | sed -n 's/^ *Depends: \([^ <]*\).*/\1/p'
}
apt_version() { # SUITE PACKAGE: the candidate version
	# shellcheck disable=SC2046
	apt-cache $(apt_opts "$1") policy "$2" 2>/dev/null | sed -n 's/^ *Candidate: //p'
}

# find_deb PACKAGE VERSION prints the cached .deb of that version, if any
# (apt names it PACKAGE_VERSION_ARCH.deb, a ':' of the version as %3a).
find_deb() {
	_v=$(printf '%s' "$2" | sed 's/:/%3a/')
	for _f in "$cache/debs/$1_$_v"_*.deb; do
		[ -f "$_f" ] && printf '%s\n' "$_f" && return 0
	done
	return 0
}

# fetch_kernel LABEL sets vmlinuz, modroot, abi, kpkg, kver: the newest
# kernel of the label's suite, downloaded (never installed) and unpacked
# in the cache.
fetch_kernel() {
	case $1 in
	5.10) suite=bullseye ;;
	6.1) suite=bookworm ;;
	6.12) suite=bookworm-backports ;;
	7) suite=sid ;;
	esac
	apt_update_suite "$suite" || die "apt-get update of $suite"
	kpkg=$(apt_depends "$suite" linux-image-amd64 | grep '^linux-image-[0-9]' | head -n 1)
	if [ -z "$kpkg" ]; then
		apt_update_suite "$suite" force || die "apt-get update of $suite"
		kpkg=$(apt_depends "$suite" linux-image-amd64 | grep '^linux-image-[0-9]' | head -n 1)
	fi
	[ -n "$kpkg" ] || die "$suite: linux-image-amd64 names no kernel"
	abi=${kpkg#linux-image-}
	kver=$(apt_version "$suite" "$kpkg")
	[ -n "$kver" ] || die "$suite: no candidate for $kpkg"
	# The image, and where newer Debian splits it, the packages holding
	# its binary and its modules.
	debpkgs="$kpkg $(apt_depends "$suite" "$kpkg" | grep -E "^linux-(binary|modules|image)-$(printf '%s' "$abi" | sed 's/[.+]/\\&/g')(-unsigned)?$" | tr '\n' ' ')"
	tree="$cache/trees/$abi-$kver"
	if [ ! -f "$tree/.done" ]; then
		rm -rf "$tree"
		mkdir -p "$tree/x" "$cache/debs"
		for p in $debpkgs; do
			v=$(apt_version "$suite" "$p")
			deb=$(find_deb "$p" "$v")
			if [ -z "$deb" ]; then
				say "$1: downloading $p $v"
				# shellcheck disable=SC2046
				(cd "$cache/debs" && apt-get $(apt_opts "$suite") download -qq "$p=$v" >/dev/null 2>&1) ||
					{
						apt_update_suite "$suite" force
						# shellcheck disable=SC2046
						(cd "$cache/debs" && apt-get $(apt_opts "$suite") download -qq "$p=$v" >/dev/null 2>&1)
					} || die "apt-get download $p=$v ($suite)"
				deb=$(find_deb "$p" "$v")
				[ -n "$deb" ] || die "apt-get download $p=$v left no .deb"
			fi
			dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tree/x" --exclude=./usr/share ||
				die "unpacking $deb"
		done
		touch "$tree/.done"
	fi
	# boot/vmlinuz-ABI, or (newer packages) lib/modules/ABI/vmlinuz.
	vmlinuz=$(find "$tree/x" -name "vmlinuz-$abi" | head -n 1)
	[ -n "$vmlinuz" ] || vmlinuz=$(find "$tree/x" -path "*/modules/$abi/vmlinuz" | head -n 1)
	[ -n "$vmlinuz" ] || die "$kpkg $kver: no vmlinuz-$abi in $debpkgs"
	modroot=$(find "$tree/x" -maxdepth 4 -type d -path "*/modules/$abi" | head -n 1)
	[ -n "$modroot" ] || die "$kpkg $kver: no modules/$abi"
}

# stage_modules LABEL DEST: puts the wanted modules and their dependencies
# (decompressed) under DEST/lib/modules/$abi and writes DEST/kmatrix's
# modules.list and modules.dep.
stage_modules() {
	dest=$2
	ko="$tree/ko"
	idx="$tree/modules.index"
	if [ ! -f "$idx" ]; then
		(cd "$modroot" && find kernel -name '*.ko*') |
			awk '{ n = $0; sub(/.*\//, "", n); sub(/\.ko(\.(xz|zst|gz))?$/, "", n); gsub(/-/, "_", n); print n, $0 }' >"$idx.tmp"
		mv "$idx.tmp" "$idx"
	fi
	mkdir -p "$dest/kmatrix" "$dest/lib/modules/$abi"
	: >"$dest/kmatrix/modules.list"
	: >"$dest/kmatrix/modules.dep"
	done_list=" "
	# closure NAME: stage the module and its dependencies, print its path
	# relative to / (or builtin / absent).
	queue=""
	for spec in $modules; do
		name=${spec%%:*}
		params=""
		case $spec in *:*) params=$(printf '%s' "${spec#*:}" | tr ':' ' ') ;; esac
		n=$(printf '%s' "$name" | tr - _)
		rel=$(awk -v n="$n" '$1 == n {print $2; exit}' "$idx")
		if [ -z "$rel" ]; then
			if sed 's/.*\///; s/\.ko$//; s/-/_/g' "$modroot/modules.builtin" 2>/dev/null | grep -qx "$n"; then
				printf '%s\tbuiltin\t\n' "$name" >>"$dest/kmatrix/modules.list"
			elif [ -f "$modroot/modules.builtin" ]; then
				printf '%s\tabsent\t\n' "$name" >>"$dest/kmatrix/modules.list"
			else
				# No modules.builtin in the package: the guest tells.
				printf '%s\tnotmodule\t\n' "$name" >>"$dest/kmatrix/modules.list"
			fi
			continue
		fi
		printf '%s\tlib/modules/%s/%s\t%s\n' "$name" "$abi" "${rel%.ko*}.ko" "$params" >>"$dest/kmatrix/modules.list"
		queue="$queue $rel"
	done
	while [ -n "$queue" ]; do
		# shellcheck disable=SC2086 # the queue is a list of words
		set -- $queue
		rel=$1
		shift
		queue="$*"
		case $done_list in *" $rel "*) continue ;; esac
		done_list="$done_list$rel "
		plain="${rel%.ko*}.ko"
		if [ ! -f "$ko/$plain" ]; then
			mkdir -p "$(dirname "$ko/$plain")"
			case $rel in
			*.ko.xz) xz -dc "$modroot/$rel" >"$ko/$plain.tmp" ;;
			*.ko.zst) zstd -qdc "$modroot/$rel" >"$ko/$plain.tmp" ;;
			*.ko.gz) gzip -dc "$modroot/$rel" >"$ko/$plain.tmp" ;;
			*) cp "$modroot/$rel" "$ko/$plain.tmp" ;;
			esac
			mv "$ko/$plain.tmp" "$ko/$plain"
		fi
		mkdir -p "$(dirname "$dest/lib/modules/$abi/$plain")"
		cp "$ko/$plain" "$dest/lib/modules/$abi/$plain"
		deps=""
		for d in $(modinfo -F depends "$ko/$plain" | tr ',' ' '); do
			drel=$(awk -v n="$(printf '%s' "$d" | tr - _)" '$1 == n {print $2; exit}' "$idx")
			[ -n "$drel" ] || continue # built in
			deps="$deps lib/modules/$abi/${drel%.ko*}.ko"
			queue="$queue $drel"
		done
		printf 'lib/modules/%s/%s:%s\n' "$abi" "$plain" "$deps" >>"$dest/kmatrix/modules.dep"
	done
}

# --- run each kernel -------------------------------------------------------
# prepare_kernel K: fetch kernel K, build its initramfs in $outdir/K.
prepare_kernel() {
	k=$1
	kdir="$outdir/$k"
	k0=$(date +%s)
	# One run at a time fetches and unpacks into the shared cache.
	exec 9>"$cache/.lock"
	flock -x 9
	fetch_kernel "$k"
	say "$k: $kpkg $kver (kernel ready after $(($(date +%s) - k0)) s)"
	root="$kdir/root"
	rm -rf "$root"
	cp -a "$userland" "$root"
	cp -a "$stage/init" "$stage/kmatrix" "$root/"
	stage_modules "$k" "$root"
	flock -u 9
	exec 9>&-
	# After the modules: fallback tunnel devices only in the first
	# namespace, so that a test's fresh namespace holds only lo (as on a
	# kernel without these modules). NLKIT_KMATRIX_FB_TUNNELS=keep leaves
	# the kernel's default.
	if [ "${NLKIT_KMATRIX_FB_TUNNELS:-}" != keep ]; then
		printf '/proc/sys/net/core/fb_tunnels_only_for_init_net 1\n' >"$root/kmatrix/sysctl"
	fi
	(cd "$root" && find . | cpio -o -H newc --quiet) >"$kdir/initrd.cpio" || die "cpio"
	rm -rf "$root"
	printf '%s\n' "$vmlinuz" >"$kdir/vmlinuz.path"
	{
		echo "label=$k"
		echo "package=$kpkg $kver"
		echo "prep=$(($(date +%s) - k0))"
	} >"$kdir/meta"
}

# boot_kernel K: boot the prepared kernel K and collect its results.
boot_kernel() {
	k=$1
	kdir="$outdir/$k"
	vmlinuz=$(cat "$kdir/vmlinuz.path")
	prep=$(sed -n 's/^prep=//p' "$kdir/meta")
	echo "accel=$accel" >>"$kdir/meta"
	say "$k: booting under $accel (initramfs $(($(wc -c <"$kdir/initrd.cpio") / 1048576)) MiB, timeout $BOOT_TIMEOUT s)"
	b0=$(date +%s)
	# no_timer_check: under TCG on a busy host the kernel's check of the
	# IO-APIC timer can fail and panic the boot ("IO-APIC + timer doesn't
	# work"). A guest that never got to /init is booted once more.
	try=0
	while :; do
		qstatus=0
		rm -f "$kdir/console.raw" "$kdir/results.raw"
		timeout -k 10 "$BOOT_TIMEOUT" "${NLKIT_QEMU:-qemu-system-x86_64}" -machine q35 -accel "$accel" \
			-m "$MEM" -smp "$SMP" -display none -monitor none -nic none -no-reboot \
			-serial "file:$kdir/console.raw" -serial "file:$kdir/results.raw" \
			-kernel "$vmlinuz" -initrd "$kdir/initrd.cpio" \
			-append "console=ttyS0 panic=-1 loglevel=1 no_timer_check rdinit=/init" </dev/null >"$kdir/qemu.out" 2>&1 || qstatus=$?
		try=$((try + 1))
		grep -q '^KM KERNEL' "$kdir/results.raw" 2>/dev/null && break
		[ "$try" -le "${NLKIT_KMATRIX_BOOT_RETRIES:-1}" ] || break
		say "$k: the guest did not start (qemu status $qstatus; console: $(tr -d '\r' <"$kdir/console.raw" 2>/dev/null | grep -m1 -i 'panic' || echo 'no panic line')); booting again"
		cp "$kdir/console.raw" "$kdir/console-try$try.log" 2>/dev/null || true
	done
	rm -f "$kdir/initrd.cpio"
	tr -d '\r' <"$kdir/results.raw" >"$kdir/results.log" 2>/dev/null || : >"$kdir/results.log"
	tr -d '\r' <"$kdir/console.raw" >"$kdir/console.log" 2>/dev/null || : >"$kdir/console.log"
	rm -f "$kdir/results.raw" "$kdir/console.raw"
	b=$(($(date +%s) - b0))
	{
		echo "qemu_status=$qstatus"
		echo "boot_secs=$b"
		echo "wall=$((prep + b))"
		if [ "$qstatus" = 124 ] || [ "$qstatus" = 137 ]; then
			echo "boot=timeout after $BOOT_TIMEOUT s"
		else
			echo "boot=ok"
		fi
	} >>"$kdir/meta"
	say "$k: qemu status $qstatus after $b s"
}

# run_host: the same binaries, natively on the host's kernel.
run_host() {
	kdir="$outdir/host"
	k0=$(date +%s)
	say "host: running the binaries natively on $(uname -r)"
	{
		echo "label=host"
		echo "package=host kernel $(uname -r)"
		echo "accel=native"
	} >"$kdir/meta"
	"$stage/init" -native "$stage" >"$kdir/results.log" 2>&1 || true
	echo "wall=$(($(date +%s) - k0))" >>"$kdir/meta"
	echo "boot=ok" >>"$kdir/meta"
	say "host: done in $(($(date +%s) - k0)) s"
}

accel=""
status=0
JOBS=${NLKIT_KMATRIX_JOBS:-1}
first=""
for k in $kernels; do
	rm -rf "${outdir:?}/$k"
	mkdir -p "$outdir/$k"
	[ "$k" = host ] && continue
	prepare_kernel "$k"
	[ -n "$first" ] || first=$vmlinuz
done
if [ -n "$first" ]; then
	# shellcheck source-path=SCRIPTDIR source=../kmod/qemu-accel.sh
	. "$self_repo/kmod/qemu-accel.sh"
	qemu_accel "$first" "$outdir" || die "no usable accelerator"
fi
# The guests, JOBS at a time (NLKIT_KMATRIX_JOBS; one per host core is
# the most that helps under TCG), then the host.
n=0
for k in $kernels; do
	[ "$k" = host ] && continue
	if [ "$JOBS" -le 1 ]; then
		boot_kernel "$k"
		continue
	fi
	boot_kernel "$k" &
	n=$((n + 1))
	if [ "$n" -ge "$JOBS" ]; then
		wait
		n=0
	fi
done
wait
for k in $kernels; do
	[ "$k" = host ] && run_host
done

# --- report -----------------------------------------------------------------
set --
for k in $kernels; do set -- "$@" "$outdir/$k"; done
wflag=""
[ "$write_docs" = 1 ] && wflag="-w $repo/docs/KERNEL-MATRIX.md"
# shellcheck disable=SC2086
"$outdir/kmatrix-report" -o "$outdir/KERNEL-MATRIX.md" -tests "$stage/kmatrix/tests.list" -regex "$regex" $wflag "$@" || status=1
say "report: $outdir/KERNEL-MATRIX.md; done in $(elapsed) s"
exit $status
