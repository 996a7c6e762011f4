// Package testenv starts the real servers exitflow's tests run against: Mailpit (a real SMTP
// server with an HTTP API) and the Temporal dev server, each built from source at the version the
// Makefile pins, into the repository's .data/bin (once; a clean clone builds them on first use).
package testenv

// Mailpit, started per test on free ports with a database of its own, read back through its HTTP API.

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
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// mailpitBinary is the path of the repository's .data/bin/mailpit, built by scripts/mailpit.sh if needed.
var mailpitBinary = sync.OnceValues(func() (string, error) {
	root, err := Root()
	if err != nil {
		return "", err
	}
	version, err := pinned(root, "MAILPIT_VERSION")
	if err != nil {
		return "", err
	}
	cmd := exec.Command(filepath.Join(root, "scripts/mailpit.sh"))
	cmd.Env = append(os.Environ(), "MAILPIT_VERSION="+version)
	cmd.Stderr = os.Stderr // a first build says so, and how long it took
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("scripts/mailpit.sh: %w", err)
	}
	return filepath.Clean(strings.TrimSpace(string(out))), nil
})

// Mailpit is a running Mailpit.
type Mailpit struct {
	SMTPPort int
	API      string // http://127.0.0.1:PORT
}

// FreePort is a TCP port nothing listens on (at the moment it is returned).
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// StartMailpit starts a Mailpit on smtpPort (0: a free one) with extra flags; it stops when t ends.
func StartMailpit(t testing.TB, smtpPort int, extra ...string) *Mailpit {
	t.Helper()
	bin, err := mailpitBinary()
	require.NoError(t, err)
	if smtpPort == 0 {
		smtpPort = FreePort(t)
	}
	httpPort := FreePort(t)
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
	mp := &Mailpit{SMTPPort: smtpPort, API: "http://127.0.0.1:" + strconv.Itoa(httpPort)}
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

// Address is an address as Mailpit's API gives it.
type Address struct{ Name, Address string }

// Summary is a message of Mailpit's list and search.
type Summary struct {
	ID, MessageID, Subject string
	From                   Address
	To                     []Address
	Attachments            int
}

// Attachment is an attachment of a message as Mailpit gives it.
type Attachment struct {
	PartID, FileName, ContentType string
	Size                          int
}

// Received is one message as Mailpit's API gives it.
type Received struct {
	ID, MessageID, Subject, Text, HTML string
	From                               Address
	To                                 []Address
	Attachments, Inline                []Attachment
}

// Get decodes the API's answer at path into v.
func (mp *Mailpit) Get(t testing.TB, path string, v any) {
	t.Helper()
	b := mp.Raw(t, path)
	require.NoError(t, json.Unmarshal(b, v), "%s", b)
}

// Raw is the API's answer at path.
func (mp *Mailpit) Raw(t testing.TB, path string) []byte {
	t.Helper()
	resp, err := http.Get(mp.API + path)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "GET %s: %s", path, b)
	return b
}

// Messages lists what Mailpit received, newest first.
func (mp *Mailpit) Messages(t testing.TB) []Summary {
	t.Helper()
	var list struct{ Messages []Summary }
	mp.Get(t, "/api/v1/messages", &list)
	return list.Messages
}

// Search lists the messages of a Mailpit search (to:x@example.org, subject:"...").
func (mp *Mailpit) Search(t testing.TB, query string) []Summary {
	t.Helper()
	var list struct{ Messages []Summary }
	mp.Get(t, "/api/v1/search?query="+url.QueryEscape(query), &list)
	return list.Messages
}

// Message is one received message, whole.
func (mp *Mailpit) Message(t testing.TB, id string) Received {
	t.Helper()
	var m Received
	mp.Get(t, "/api/v1/message/"+id, &m)
	return m
}

// Part is the content of one part (an attachment) of a received message.
func (mp *Mailpit) Part(t testing.TB, id, partID string) []byte {
	t.Helper()
	return mp.Raw(t, "/api/v1/message/"+id+"/part/"+partID)
}
