package notify_test

import (
	"testing"

	"github.com/exitflow/exitflow/internal/config"
	"github.com/exitflow/exitflow/internal/notify"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewMailerReadsTheSMTPSettings(t *testing.T) {
	t.Parallel()
	m, err := notify.NewMailer(config.Config{SMTPHost: " 127.0.0.1 ", SMTPPort: 1025, SMTPUsername: "u", SMTPPassword: "p", SMTPFrom: "exitflow@coc.example.org"})
	require.NoError(t, err)
	assert.Equal(t, notify.Mailer{Host: "127.0.0.1", Port: 1025, Username: "u", Password: "p", From: "exitflow@coc.example.org"}, *m)

	for _, tc := range []struct {
		c    config.Config
		want string
	}{
		{config.Config{SMTPPort: 25, SMTPFrom: "a@b.org"}, "config: no SMTP server: set smtp_host (EXITFLOW_SMTP_HOST / --smtp-host), e.g. 127.0.0.1 for the Mailpit of make run"},
		{config.Config{SMTPHost: "mail", SMTPPort: 0, SMTPFrom: "a@b.org"}, "config: smtp_port 0 (EXITFLOW_SMTP_PORT / --smtp-port) is not a TCP port"},
		{config.Config{SMTPHost: "mail", SMTPPort: 25, SMTPFrom: "exitflow"}, `config: smtp_from "exitflow" (EXITFLOW_SMTP_FROM / --smtp-from) is not an e-mail address`},
	} {
		_, err := notify.NewMailer(tc.c)
		assert.EqualError(t, err, tc.want)
	}
}

// The Message-ID is the key's digest at the sender's domain: one per key, the same on every attempt.
func TestMessageIDIsDerivedFromTheKey(t *testing.T) {
	t.Parallel()
	a := notify.MessageID("agreement-7/notice/a@agency.example.org", "exitflow@coc.example.org")
	assert.Regexp(t, `^exitflow\.[0-9a-f]{32}@coc\.example\.org$`, a)
	assert.Equal(t, a, notify.MessageID("agreement-7/notice/a@agency.example.org", "exitflow@coc.example.org"))
	assert.NotEqual(t, a, notify.MessageID("agreement-7/notice/b@agency.example.org", "exitflow@coc.example.org"))
	assert.Regexp(t, `@exitflow\.invalid$`, notify.MessageID("k", "not an address"))
}
