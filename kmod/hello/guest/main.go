// Command guest is the /init of the QEMU test of kmod/hello
// (kmod/hello/run-qemu-test.sh). In a virtual machine booted with a
// Debian kernel and an initramfs holding /init (this program), /hello.ko
// and /bin/hello (examples/hello), it mounts /proc, /sys and /dev, loads
// the module with finit_module(2), checks it with nlkit, unloads it with
// delete_module(2), prints one summary line and powers the machine off.
//
// Each check prints "ok   NAME" or "FAIL NAME: why"; then come the
// module's kernel log lines ("klog: ...") and the summary, either
//
//	HELLO-QEMU PASS 13/13
//
// or "HELLO-QEMU FAIL n/13: NAME: why; ...". Kernel command line options
// "hello.X" are passed to the module as "X", as modprobe does, so that
// "hello.wrong_reply=1" loads it with a reply the echo check must reject.
//
// It refuses to run as anything but process 1, so that it never loads a
// module into, or powers off, the machine it was built on.
package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// The files the initramfs holds, and the module's name.
const (
	modulePath  = "/hello.ko"
	moduleName  = "hello"
	examplePath = "/bin/hello"
)

// summaryPrefix starts the line the driver looks for.
const summaryPrefix = "HELLO-QEMU"

func main() {
	if os.Getpid() != 1 {
		fmt.Fprintln(os.Stderr, "guest: this is the /init of the kmod/hello QEMU test (kmod/hello/run-qemu-test.sh); it runs only as process 1")
		os.Exit(2)
	}
	setupErr := setup()
	cmdline, _ := os.ReadFile("/proc/cmdline")
	g := &guest{params: moduleParams(string(cmdline))}
	var line string
	if setupErr != nil {
		line = fmt.Sprintf("%s FAIL 0/1: setup: %v", summaryPrefix, setupErr)
	} else {
		line = g.run(checks())
	}
	printKernelLog(moduleName + ":")
	fmt.Println(line)
	unix.Sync()
	err := unix.Reboot(unix.LINUX_REBOOT_CMD_POWER_OFF)
	// Still here: exiting makes the kernel panic, and QEMU (panic=-1,
	// -no-reboot) stop.
	fmt.Println("guest: power off:", err)
	os.Exit(1)
}

// setup mounts the file systems the checks need and makes sure standard
// output reaches the console.
func setup() error {
	for _, m := range []struct{ fs, dir string }{
		{"proc", "/proc"}, {"sysfs", "/sys"}, {"devtmpfs", "/dev"},
	} {
		if err := os.MkdirAll(m.dir, 0o755); err != nil {
			return err
		}
		if err := unix.Mount(m.fs, m.dir, m.fs, 0, ""); err != nil && err != unix.EBUSY {
			return fmt.Errorf("mount %s: %w", m.dir, err)
		}
	}
	if _, err := unix.FcntlInt(1, unix.F_GETFD, 0); err != nil {
		// The kernel found no /dev/console in the initramfs.
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

// moduleParams returns the module's parameters: the "hello.X" options of
// the kernel command line as "X", after dyndbg=+p, which sends the module's
// pr_debug lines to the kernel log.
func moduleParams(cmdline string) string {
	params := []string{"dyndbg=+p"}
	for _, f := range strings.Fields(cmdline) {
		if p, ok := strings.CutPrefix(f, moduleName+"."); ok {
			params = append(params, p)
		}
	}
	return strings.Join(params, " ")
}

// A check is one named step of the test.
type check struct {
	name string
	fn   func(*guest) error
}

// run runs every check in order, printing each outcome, and returns the
// summary line.
func (g *guest) run(cs []check) string {
	var failed []string
	for _, c := range cs {
		start := time.Now()
		err := g.safely(c.fn)
		took := time.Since(start).Round(time.Millisecond)
		if err != nil {
			why := strings.ReplaceAll(err.Error(), "\n", " ")
			fmt.Printf("FAIL %s: %s (%v)\n", c.name, why, took)
			failed = append(failed, c.name+": "+why)
			continue
		}
		fmt.Printf("ok   %s (%v)\n", c.name, took)
	}
	passed := len(cs) - len(failed)
	if len(failed) == 0 {
		return fmt.Sprintf("%s PASS %d/%d", summaryPrefix, passed, len(cs))
	}
	return fmt.Sprintf("%s FAIL %d/%d: %s", summaryPrefix, passed, len(cs), strings.Join(failed, "; "))
}

// safely runs fn, turning a panic into an error so that the summary is
// always printed.
func (g *guest) safely(fn func(*guest) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return fn(g)
}

// printKernelLog prints the kernel log lines that contain word, at most 60.
func printKernelLog(word string) {
	buf := make([]byte, 1<<20)
	n, err := unix.Klogctl(unix.SYSLOG_ACTION_READ_ALL, buf)
	if err != nil {
		fmt.Println("klog: unreadable:", err)
		return
	}
	shown := 0
	for _, l := range strings.Split(string(buf[:n]), "\n") {
		if strings.Contains(l, word) && shown < 60 {
			fmt.Println("klog:", l)
			shown++
		}
	}
}
