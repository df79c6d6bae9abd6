package usersock

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// senderEnv names the server port a copy of this test binary, started by
// TestPIDIsNotIdentity, sends one request to before it exits (see
// TestMain).
const senderEnv = "NLKIT_USERSOCK_TEST_SENDER"

func TestMain(m *testing.M) {
	if port := os.Getenv(senderEnv); port != "" {
		os.Exit(sendOnce(port))
	}
	os.Exit(m.Run())
}

// sendOnce sends one acknowledged request to the server at port, from the
// current network namespace, and returns 0 if it was served, 3 if it was
// refused with EPERM, 1 otherwise.
func sendOnce(port string) int {
	p, err := strconv.ParseUint(port, 10, 32)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	c, err := Dial(uint32(p), nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err = c.Request(ctx, typeEcho, nl.Acknowledge, []byte("who am i"))
	if errors.Is(err, unix.EPERM) {
		return 3
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// Finding 2 of issue 11: the pid in SCM_CREDENTIALS is the number the
// sender's own PID namespace gives it. An unprivileged user (nobody) in a
// user and PID namespace of its own reaches the server as pid 1, while
// its uid is still its own: a Policy decides by uid and gid only, and
// refuses it.
func TestPIDIsNotIdentity(t *testing.T) {
	netnstest.RequireCapabilities(t, unix.CAP_SETUID, unix.CAP_SETGID, unix.CAP_SYS_ADMIN)
	ns := testNS(t)
	for _, tool := range []string{"ip", "setpriv", "unshare"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed (iproute2, util-linux): %v", tool, err)
		}
	}
	if b, err := os.ReadFile("/proc/sys/user/max_user_namespaces"); err == nil && strings.TrimSpace(string(b)) == "0" {
		netnstest.SkipFeature(t, "user namespaces (user.max_user_namespaces)", "user.max_user_namespaces is 0")
	}
	// A copy of this binary that nobody may run (the build directory is
	// the caller's alone).
	dir, err := os.MkdirTemp("", "nlkit-sender")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "sender")
	copyFile(t, bin)

	seen := make(chan nl.Credentials, 1)
	open, _ := listen(t, Config{Policy: &Policy{Anyone: true}, Input: func(ctx context.Context, w *Writer, r *Request) error {
		select {
		case seen <- r.Creds:
		default:
		}
		return nil
	}})
	rootOnly, _ := listen(t, Config{Policy: &Policy{UIDs: []uint32{0}, Allow: func(id Identity) bool { return id.GID == 0 }}})

	send := func(port uint32) int {
		// As nobody, in a new user and PID namespace (where it is pid 1
		// and believes itself root), in the test's network namespace.
		cmd := exec.Command("ip", "netns", "exec", ns.Name, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
			"unshare", "--user", "--map-root-user", "--pid", "--fork", bin)
		cmd.Env = append(os.Environ(), senderEnv+"="+strconv.FormatUint(uint64(port), 10))
		var stderr strings.Builder
		cmd.Stderr = &stderr
		cmd.Stdout = io.Discard
		err := cmd.Run()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			if ee.ExitCode() == 1 {
				t.Logf("sender: %s", stderr.String())
			}
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatalf("sender: %v: %s", err, stderr.String())
		}
		return 0
	}
	if code := send(open.Port()); code != 0 {
		t.Fatalf("the sender could not reach a server that allows anyone: exit %d", code)
	}
	creds := <-seen
	if creds.PID != 1 || creds.UID != 65534 || creds.GID != 65534 {
		t.Fatalf("credentials %+v; want pid 1 (its own PID namespace's number) with uid and gid 65534", creds)
	}
	if code := send(rootOnly.Port()); code != 3 {
		t.Fatalf("a server that allows root only answered the pid-1 sender with exit %d, want a refusal (3)", code)
	}
	if st := rootOnly.Stats(); st.Rejected != 1 {
		t.Fatalf("stats %+v: want one rejected request", st)
	}
}

// copyFile copies this test binary to path, executable by all.
func copyFile(t *testing.T, path string) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o755); err != nil {
		t.Fatal(err)
	}
}
