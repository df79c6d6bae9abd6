// Command guest is the /init of the kernel matrix (kmatrix/run.sh). In a
// virtual machine booted with a Debian kernel and an initramfs built by
// run.sh, it mounts the file systems the tests need, loads the kernel's
// modules listed in /kmatrix/modules.list (with their dependencies, from
// /kmatrix/modules.dep), runs every test binary listed in
// /kmatrix/tests.list with -test.v, streams their output to the second
// serial port (/dev/ttyS1; the kernel's console is the first) and powers
// the machine off.
//
// With -native DIR it runs the same test binaries on the machine it is
// started on, writing the same stream to standard output, without
// mounting, loading modules or powering off: that is the matrix's "host"
// kernel.
//
// The stream is line based; every line the runner parses starts with
// "KM ": see protocol.go.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

func main() {
	native := flag.String("native", "", "run the test binaries of the initramfs tree `DIR` on this machine instead of being /init")
	flag.Parse()
	if *native != "" {
		os.Exit(runNative(*native))
	}
	if os.Getpid() != 1 {
		fmt.Fprintln(os.Stderr, "guest: this is the /init of the kernel matrix (kmatrix/run.sh); it runs only as process 1, or with -native DIR")
		os.Exit(2)
	}
	setupErr := setupConsole()
	out := resultPort()
	w := &stream{w: out}
	if setupErr == nil {
		setupErr = setupSystem()
	}
	if setupErr != nil {
		w.line("KM SETUP-FAIL %v", setupErr)
	} else {
		g := &run{w: w, root: "/", env: guestEnv()}
		g.kernel()
		g.modules("/kmatrix")
		g.sysctls("/kmatrix/sysctl")
		g.tests("/kmatrix")
	}
	w.line("KM DONE")
	if f, ok := out.(*os.File); ok {
		f.Sync()
	}
	unix.Sync()
	err := unix.Reboot(unix.LINUX_REBOOT_CMD_POWER_OFF)
	fmt.Println("guest: power off:", err)
	os.Exit(1)
}

// runNative runs the tests of dir on this machine.
func runNative(dir string) int {
	w := &stream{w: os.Stdout}
	env := append(os.Environ(), "NLKIT_REQUIRE_PRIV=1")
	g := &run{w: w, root: dir, env: env}
	g.kernel()
	g.tests(filepath.Join(dir, "kmatrix"))
	w.line("KM DONE")
	return 0
}

// setupConsole makes standard output and error reach the console.
func setupConsole() error {
	if err := os.MkdirAll("/dev", 0o755); err != nil {
		return err
	}
	if err := unix.Mount("devtmpfs", "/dev", "devtmpfs", 0, ""); err != nil && err != unix.EBUSY {
		return fmt.Errorf("mount /dev: %w", err)
	}
	if _, err := unix.FcntlInt(1, unix.F_GETFD, 0); err != nil {
		fd, err := unix.Open("/dev/console", unix.O_RDWR, 0)
		if err != nil {
			return fmt.Errorf("open console: %w", err)
		}
		for i := 0; i < 3; i++ {
			if err := unix.Dup3(fd, i, 0); err != nil {
				return fmt.Errorf("console: %w", err)
			}
		}
	}
	return nil
}

// setupSystem mounts what the tests expect of a Linux system, brings the
// loopback device up and makes module autoloading fail at once.
func setupSystem() error {
	for _, m := range []struct{ fs, dir, opts string }{
		{"proc", "/proc", ""},
		{"sysfs", "/sys", ""},
		{"tmpfs", "/tmp", "mode=1777"},
		{"tmpfs", "/run", "mode=755"},
		{"tmpfs", "/dev/shm", "mode=1777"},
		{"devpts", "/dev/pts", ""},
	} {
		if err := os.MkdirAll(m.dir, 0o755); err != nil {
			return err
		}
		if err := unix.Mount(m.fs, m.dir, m.fs, 0, m.opts); err != nil && err != unix.EBUSY {
			return fmt.Errorf("mount %s on %s: %w", m.fs, m.dir, err)
		}
	}
	if err := os.MkdirAll("/run/netns", 0o755); err != nil {
		return err
	}
	// Only emergencies on the console: the tests' stream has its own port,
	// but a console flooded with messages slows the guest down.
	unix.Klogctl(unix.SYSLOG_ACTION_CONSOLE_LEVEL, make([]byte, 1))
	// The kernel would run this for a missing module: a path that does
	// not exist fails at once instead of waiting for a helper.
	if err := os.WriteFile("/proc/sys/kernel/modprobe", []byte("/kmatrix/no-modprobe\n"), 0o644); err != nil {
		return fmt.Errorf("kernel.modprobe: %w", err)
	}
	if err := loopbackUp(); err != nil {
		return fmt.Errorf("loopback: %w", err)
	}
	return nil
}

// loopbackUp sets lo up.
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return err
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	return unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr)
}

// resultPort opens the second serial port in raw mode, or returns
// standard output when there is none.
func resultPort() io.Writer {
	f, err := os.OpenFile("/dev/ttyS1", os.O_WRONLY|unix.O_NOCTTY, 0)
	if err != nil {
		fmt.Println("guest: no /dev/ttyS1, results on the console:", err)
		return os.Stdout
	}
	if t, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS); err == nil {
		t.Oflag &^= unix.OPOST
		t.Lflag &^= unix.ECHO | unix.ICANON | unix.ISIG | unix.IEXTEN
		t.Cflag = t.Cflag&^(unix.CBAUD|unix.CSIZE|unix.PARENB) | unix.CS8 | unix.B115200
		unix.IoctlSetTermios(int(f.Fd()), unix.TCSETS, t)
	}
	return f
}

// guestEnv is the environment of the test binaries in the guest.
func guestEnv() []string {
	return []string{
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"HOME=/tmp",
		"TMPDIR=/tmp",
		"LANG=C",
		"NLKIT_REQUIRE_PRIV=1",
	}
}

// kernelRelease returns uname -r and -v.
func kernelRelease() (string, string) {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return "unknown", ""
	}
	return unix.ByteSliceToString(u.Release[:]), unix.ByteSliceToString(u.Version[:])
}

func clean(s string) string { return strings.ReplaceAll(s, "\n", " ") }
