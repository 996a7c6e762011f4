package notify_test

// A real SMTP server for the tests: Mailpit, built once into the repository's .data/bin by
// scripts/mailpit.sh at the Makefile's MAILPIT_VERSION (about 30 s the first time, nothing after),
// started per test on free ports with a database of its own, and read back through its HTTP API.

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// mailpitBinary is the path of .data/bin/mailpit, built by scripts/mailpit.sh if needed.
var mailpitBinary = sync.OnceValues(func() (string, error) {
	mk, err := os.ReadFile("../../Makefile")
	if err != nil {
		return "", err
	}
	m := regexp.MustCompile(`(?m)^MAILPIT_VERSION := (\S+)$`).FindSubmatch(mk)
	if m == nil {
		return "", fmt.Errorf("the Makefile pins no MAILPIT_VERSION")
	}
	cmd := exec.Command("../../scripts/mailpit.sh")
	cmd.Env = append(os.Environ(), "MAILPIT_VERSION="+string(m[1]))
	cmd.Stderr = os.Stderr // a first build says so, and how long it took
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("scripts/mailpit.sh: %w", err)
	}
	return filepath.Clean(string(regexp.MustCompile(`\s+$`).ReplaceAll(out, nil))), nil
})

// mailpit is a running Mailpit.
type mailpit struct {
	SMTPPort int
	API      string // http://127.0.0.1:PORT
}

// freePort is a TCP port nothing listens on (at the moment it is returned).
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startMailpit starts a Mailpit on smtpPort (0: a free one) with extra flags; it stops when t ends.
func startMailpit(t *testing.T, smtpPort int, extra ...string) *mailpit {
	t.Helper()
	bin, err := mailpitBinary()
	require.NoError(t, err)
	if smtpPort == 0 {
		smtpPort = freePort(t)
	}
	httpPort := freePort(t)
	args := append([]string{"--listen", "127.0.0.1:" + strconv.Itoa(httpPort), "--smtp", "127.0.0.1:" + strconv.Itoa(smtpPort),
		"--database", filepath.Join(t.TempDir(), "mailpit.db"), "--disable-version-check", "--smtp-disable-rdns", "--quiet"}, extra...)
	cmd := exec.Command(bin, args...)
	logFile, err := os.Create(filepath.Join(t.TempDir(), "mailpit.log"))
	require.NoError(t, err)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		_ = logFile.Close()
	})
	mp := &mailpit{SMTPPort: smtpPort, API: "http://127.0.0.1:" + strconv.Itoa(httpPort)}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(mp.API + "/api/v1/info")
		if err == nil {
			resp.Body.Close()
			if c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(smtpPort)); err == nil {
				c.Close()
				return mp
			}
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logFile.Name())
			t.Fatalf("mailpit did not answer within 20 s: %s", log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// address is an address as Mailpit's API gives it.
type address struct{ Name, Address string }

// summary is a message of Mailpit's list and search.
type summary struct {
	ID, MessageID, Subject string
	From                   address
	To                     []address
	Attachments            int
}

// attachment is an attachment of a message as Mailpit gives it.
type attachment struct {
	PartID, FileName, ContentType string
	Size                          int
}

// received is one message as Mailpit's API gives it.
type received struct {
	ID, MessageID, Subject, Text, HTML string
	From                               address
	To                                 []address
	Attachments, Inline                []attachment
}

// get decodes the API's answer at path into v.
func (mp *mailpit) get(t *testing.T, path string, v any) {
	t.Helper()
	b := mp.raw(t, path)
	require.NoError(t, json.Unmarshal(b, v), "%s", b)
}

// raw is the API's answer at path.
func (mp *mailpit) raw(t *testing.T, path string) []byte {
	t.Helper()
	resp, err := http.Get(mp.API + path)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "GET %s: %s", path, b)
	return b
}

// messages lists what Mailpit received, newest first.
func (mp *mailpit) messages(t *testing.T) []summary {
	t.Helper()
	var list struct{ Messages []summary }
	mp.get(t, "/api/v1/messages", &list)
	return list.Messages
}

// search lists the messages of a Mailpit search (to:x@example.org, subject:"...").
func (mp *mailpit) search(t *testing.T, query string) []summary {
	t.Helper()
	var list struct{ Messages []summary }
	mp.get(t, "/api/v1/search?query="+url.QueryEscape(query), &list)
	return list.Messages
}

// message is one received message, whole.
func (mp *mailpit) message(t *testing.T, id string) received {
	t.Helper()
	var m received
	mp.get(t, "/api/v1/message/"+id, &m)
	return m
}

// part is the content of one part (an attachment) of a received message.
func (mp *mailpit) part(t *testing.T, id, partID string) []byte {
	t.Helper()
	return mp.raw(t, "/api/v1/message/"+id+"/part/"+partID)
}

// make run, docker compose and these tests use one Mailpit version: the Makefile's.
func TestMailpitVersionIsPinnedOnce(t *testing.T) {
	t.Parallel()
	mk, err := os.ReadFile("../../Makefile")
	require.NoError(t, err)
	version := string(regexp.MustCompile(`(?m)^MAILPIT_VERSION := (\S+)$`).FindSubmatch(mk)[1])
	run, err := os.ReadFile("../../scripts/run.sh")
	require.NoError(t, err)
	require.Contains(t, string(run), "MAILPIT_VERSION=${MAILPIT_VERSION:-"+version+"}", "scripts/run.sh's default")
	compose, err := os.ReadFile("../../docker-compose.yml")
	require.NoError(t, err)
	require.Contains(t, string(compose), "image: axllent/mailpit:"+version, "docker-compose.yml's image")
}
