package notify_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"

	"github.com/exitflow/exitflow/internal/notify"
	"github.com/exitflow/exitflow/internal/testdb"
	"github.com/exitflow/exitflow/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestListFiltersNewestFirst(t *testing.T) {
	t.Parallel()
	_, pool := testdb.New(t)
	mp := testenv.StartMailpit(t, 0)
	ctx := context.Background()
	m := mailerAt(mp.SMTPPort)
	data := kindData(readFixture(t))
	for i, s := range []struct {
		kind notify.Kind
		to   string
	}{{notify.KindAutoAlert, "a@agency.example.org"}, {notify.KindEscalation, "staff@coc.example.org"}, {notify.KindAutoAlert, "b@agency.example.org"}} {
		msg, err := notify.Compose(s.kind, data[s.kind])
		require.NoError(t, err)
		msg.Key, msg.To = "k"+string(rune('1'+i)), s.to
		_, err = m.Send(ctx, pool, msg)
		require.NoError(t, err)
	}
	keys := func(f notify.Filter) []string {
		list, err := notify.List(ctx, pool, f)
		require.NoError(t, err)
		var ks []string
		for _, r := range list {
			assert.Empty(t, r.Text, "List leaves the bodies out")
			ks = append(ks, r.Key)
		}
		return ks
	}
	assert.Equal(t, []string{"k3", "k2", "k1"}, keys(notify.Filter{}))
	assert.Equal(t, []string{"k3", "k1"}, keys(notify.Filter{Kind: notify.KindAutoAlert}))
	assert.Equal(t, []string{"k1"}, keys(notify.Filter{To: " A@Agency.example.org"}))
	assert.Equal(t, []string{"k3"}, keys(notify.Filter{Limit: 1}))
	assert.Empty(t, keys(notify.Filter{Kind: notify.KindDQMReport}))
}

// Render writes a notification as it was sent: Mailpit's copy and the rendered one agree on
// every header but the MIME boundary, and on every part.
func TestRenderRebuildsTheSentMessage(t *testing.T) {
	t.Parallel()
	_, pool := testdb.New(t)
	mp := testenv.StartMailpit(t, 0)
	ctx := context.Background()
	rec, err := mailerAt(mp.SMTPPort).Send(ctx, pool, dqmMessage(t, "k-render", "liaison@agency.example.org"))
	require.NoError(t, err)

	rendered, err := notify.Render(ctx, pool, rec.ID)
	require.NoError(t, err)
	sent := mp.Raw(t, "/api/v1/message/"+mp.Messages(t)[0].ID+"/raw")
	a, b := parseEML(t, string(rendered)), parseEML(t, string(sent))
	for _, h := range []string{"Message-Id", "Date", "Subject", "From", "To", "X-Exitflow-Kind", "X-Exitflow-Notification"} {
		assert.Equal(t, b.header.Get(h), a.header.Get(h), h)
		assert.NotEmpty(t, a.header.Get(h), h)
	}
	assert.Equal(t, "<"+rec.MessageID+">", a.header.Get("Message-Id"))
	assert.Equal(t, b.parts, a.parts)
	assert.Equal(t, []string{"text/plain", "text/html", "measures.csv", "findings.csv"}, a.order)
	assert.Equal(t, measuresCSV, a.parts["measures.csv"])
	assert.Contains(t, a.parts["text/html"], "<h1>DQM report 7</h1>")

	_, err = notify.Render(ctx, pool, rec.ID+100)
	assert.ErrorIs(t, err, notify.ErrNotFound)
	assert.EqualError(t, err, fmt.Sprintf("notification %d: no such notification (exitflow notifications list lists them)", rec.ID+100))
}

// eml is a parsed message: its header and its leaf parts (by file name, else by type).
type eml struct {
	header mail.Header
	parts  map[string]string
	order  []string
}

// parseEML parses an RFC 5322 message with nested multiparts.
func parseEML(t *testing.T, raw string) eml {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(raw))
	require.NoError(t, err)
	e := eml{header: msg.Header, parts: map[string]string{}}
	var walk func(ct string, r io.Reader)
	walk = func(ct string, r io.Reader) {
		mt, params, err := mime.ParseMediaType(ct)
		require.NoError(t, err)
		mr := multipart.NewReader(r, params["boundary"])
		for {
			p, err := mr.NextPart() // decodes quoted-printable itself
			if err == io.EOF {
				return
			}
			require.NoError(t, err, mt)
			pt := p.Header.Get("Content-Type")
			if strings.HasPrefix(pt, "multipart/") {
				walk(pt, p)
				continue
			}
			body, err := io.ReadAll(p)
			require.NoError(t, err)
			name := p.FileName()
			if name == "" {
				name, _, _ = mime.ParseMediaType(pt)
			} else if p.Header.Get("Content-Transfer-Encoding") == "base64" {
				body = decodeBase64(t, body)
			}
			e.parts[name] = strings.ReplaceAll(string(body), "\r\n", "\n")
			e.order = append(e.order, name)
		}
	}
	walk(msg.Header.Get("Content-Type"), msg.Body)
	return e
}

// decodeBase64 decodes a base64 body broken into lines.
func decodeBase64(t *testing.T, b []byte) []byte {
	t.Helper()
	out, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(b)), ""))
	require.NoError(t, err)
	return out
}
