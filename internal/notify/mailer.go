package notify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"strings"
	"time"

	"github.com/exitflow/exitflow/internal/config"
	gomail "github.com/wneessen/go-mail"
)

// DefaultTimeout bounds the connection and each SMTP command of a delivery.
const DefaultTimeout = 30 * time.Second

// Mailer delivers notifications to one SMTP server.
type Mailer struct {
	Host     string
	Port     int // 465: TLS from the start; any other: STARTTLS (see tlsPolicy)
	Username string
	Password string
	From     string        // the From address of every notification
	Timeout  time.Duration // 0: DefaultTimeout
}

// NewMailer is the Mailer of the configured SMTP server (smtp_host, smtp_port, smtp_username,
// smtp_password, smtp_from).
func NewMailer(c config.Config) (*Mailer, error) {
	m := &Mailer{Host: strings.TrimSpace(c.SMTPHost), Port: c.SMTPPort, Username: c.SMTPUsername,
		Password: c.SMTPPassword, From: strings.TrimSpace(c.SMTPFrom)}
	if m.Host == "" {
		return nil, errors.New("config: no SMTP server: set smtp_host (EXITFLOW_SMTP_HOST / --smtp-host), e.g. 127.0.0.1 for the Mailpit of make run")
	}
	if m.Port < 1 || m.Port > 65535 {
		return nil, fmt.Errorf("config: smtp_port %d (EXITFLOW_SMTP_PORT / --smtp-port) is not a TCP port", m.Port)
	}
	if a, err := mail.ParseAddress(m.From); err != nil || a.Address == "" {
		return nil, fmt.Errorf("config: smtp_from %q (EXITFLOW_SMTP_FROM / --smtp-from) is not an e-mail address", m.From)
	}
	return m, nil
}

// local reports whether host is this machine (a loopback address or localhost).
func local(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// tlsPolicy: STARTTLS when the server offers it (opportunistic: a local Mailpit offers none);
// required when a password would otherwise cross the network in the clear. The messages hold IDs
// only (SPEC N2), so a relay on the CoC's network without TLS may carry them.
func (m *Mailer) tlsPolicy() gomail.TLSPolicy {
	if m.Username != "" && !local(m.Host) {
		return gomail.TLSMandatory
	}
	return gomail.TLSOpportunistic
}

// client is a go-mail client for one delivery.
func (m *Mailer) client() (*gomail.Client, error) {
	timeout := m.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	opts := []gomail.Option{gomail.WithPort(m.Port), gomail.WithTimeout(timeout), gomail.WithTLSPolicy(m.tlsPolicy())}
	if m.Port == 465 {
		opts = append(opts, gomail.WithSSL())
	}
	if m.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(m.Username), gomail.WithPassword(m.Password))
	}
	c, err := gomail.NewClient(m.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("SMTP client for %s:%d: %w", m.Host, m.Port, err)
	}
	return c, nil
}

// deliver hands msg to the SMTP server. It reports success once the server has taken the
// message, even if closing the session afterwards fails (a retry would deliver it again).
// refused: the server refused it for good (a 5xx reply).
func (m *Mailer) deliver(ctx context.Context, msg *gomail.Msg) (refused bool, err error) {
	c, err := m.client()
	if err != nil {
		return false, err
	}
	err = c.DialAndSendWithContext(ctx, msg)
	if msg.IsDelivered() {
		return false, nil
	}
	if err == nil { // cannot happen: go-mail marks a message it sent as delivered
		return false, errors.New("the SMTP client reported no error, but did not deliver the message")
	}
	var se *gomail.SendError
	return errors.As(err, &se) && !se.IsTemp() && se.ErrorCode() >= 500, err
}
