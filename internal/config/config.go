// Package config loads exitflow's settings: flags > EXITFLOW_* environment variables >
// an optional exitflow.yaml > built-in defaults.
package config

import (
	"fmt"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// Config is the effective configuration.
type Config struct {
	DatabaseURL       string `mapstructure:"database_url"`
	TemporalAddress   string `mapstructure:"temporal_address"`
	TemporalNamespace string `mapstructure:"temporal_namespace"`
	TaskQueue         string `mapstructure:"task_queue"`
	Timezone          string `mapstructure:"timezone"`
	SMTPHost          string `mapstructure:"smtp_host"`
	SMTPPort          int    `mapstructure:"smtp_port"`
	SMTPUsername      string `mapstructure:"smtp_username"`
	SMTPPassword      string `mapstructure:"smtp_password"`
	SMTPFrom          string `mapstructure:"smtp_from"`
	// ExitBatchHouseholds is how many households one exit transaction writes (0: the engine's default).
	ExitBatchHouseholds int `mapstructure:"exit_batch_households"`
	// SweepTime is the local time HH:MM, in Timezone, of the daily auto-exit sweep's schedule.
	SweepTime string `mapstructure:"sweep_time"`
}

// Setting describes one key: its flag, environment variable, default and whether it is secret.
type Setting struct {
	Key, Flag, Env, Help string
	Default              any
	Secret               bool
}

// Settings lists every key, in the order `config show` prints them.
var Settings = []Setting{
	{"database_url", "database-url", "EXITFLOW_DATABASE_URL", "PostgreSQL URL of the HMIS database", "postgres://postgres@127.0.0.1:5432/exitflow", false},
	{"temporal_address", "temporal-address", "EXITFLOW_TEMPORAL_ADDRESS", "Temporal frontend host:port", "127.0.0.1:7233", false},
	{"temporal_namespace", "temporal-namespace", "EXITFLOW_TEMPORAL_NAMESPACE", "Temporal namespace", "default", false},
	{"task_queue", "task-queue", "EXITFLOW_TASK_QUEUE", "Temporal task queue of the worker", "exitflow", false},
	{"timezone", "timezone", "EXITFLOW_TIMEZONE", "the CoC's time zone (IANA name); 'today' is taken there", "America/New_York", false},
	{"smtp_host", "smtp-host", "EXITFLOW_SMTP_HOST", "SMTP server host", "", false},
	{"smtp_port", "smtp-port", "EXITFLOW_SMTP_PORT", "SMTP server port", 25, false},
	{"smtp_username", "smtp-username", "EXITFLOW_SMTP_USERNAME", "SMTP user name", "", false},
	{"smtp_password", "smtp-password", "EXITFLOW_SMTP_PASSWORD", "SMTP password", "", true},
	{"smtp_from", "smtp-from", "EXITFLOW_SMTP_FROM", "From address of notices", "exitflow@localhost", false},
	{"exit_batch_households", "exit-batch-households", "EXITFLOW_EXIT_BATCH_HOUSEHOLDS", "households per exit transaction of the worker (0: the engine's default)", 0, false},
	{"sweep_time", "sweep-time", "EXITFLOW_SWEEP_TIME", "local time HH:MM (in timezone) of the daily auto-exit sweep (exitflow setup schedules it)", "05:00", false},
}

// AddFlags adds one flag per setting to fs.
func AddFlags(fs *pflag.FlagSet) {
	for _, s := range Settings {
		switch d := s.Default.(type) {
		case int:
			fs.Int(s.Flag, d, s.Help+" ("+s.Env+")")
		default:
			fs.String(s.Flag, fmt.Sprint(d), s.Help+" ("+s.Env+")")
		}
	}
}

// BindFlags wires the flags of AddFlags into v: a flag given on the command line wins.
func BindFlags(v *viper.Viper, fs *pflag.FlagSet) {
	for _, s := range Settings {
		_ = v.BindPFlag(s.Key, fs.Lookup(s.Flag))
	}
}

// New returns a viper instance with defaults, environment variables and the optional config file.
// file may be empty: then ./exitflow.yaml is read if it exists.
func New(file string) (*viper.Viper, error) {
	v := viper.New()
	for _, s := range Settings {
		v.SetDefault(s.Key, s.Default)
		_ = v.BindEnv(s.Key, s.Env)
	}
	if file == "" {
		if _, err := os.Stat("exitflow.yaml"); err != nil {
			return v, nil // the file is optional
		}
		file = "exitflow.yaml"
	}
	v.SetConfigFile(file)
	if err := v.ReadInConfig(); err != nil {
		return nil, fmt.Errorf("reading config file %s: %w", file, err)
	}
	if err := checkKeys(v, file); err != nil {
		return nil, err
	}
	return v, nil
}

// Keys are the keys of Settings, in order: the only keys a config file may hold.
func Keys() []string {
	keys := make([]string, len(Settings))
	for i, s := range Settings {
		keys[i] = s.Key
	}
	return keys
}

// checkKeys refuses the keys of file that are not settings (a typing error would otherwise be
// ignored). Defaults, environment variables and flags only ever set the keys of Settings, so any
// other key of v comes from the file; a nested key is named by its path (smtp.host).
func checkKeys(v *viper.Viper, file string) error {
	known := Keys()
	var unknown []string
	for _, k := range v.AllKeys() {
		if !slices.Contains(known, k) {
			unknown = append(unknown, strconv.Quote(k))
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	slices.Sort(unknown)
	what := "unknown key"
	if len(unknown) > 1 {
		what = "unknown keys"
	}
	return fmt.Errorf("config file %s: %s %s (the known keys are the ones `exitflow config show` prints: %s)",
		file, what, strings.Join(unknown, ", "), strings.Join(known, ", "))
}

// Load decodes and validates the effective configuration.
func Load(v *viper.Viper) (Config, error) {
	var c Config
	if err := v.Unmarshal(&c); err != nil {
		return c, fmt.Errorf("config: %w", err)
	}
	if _, err := time.LoadLocation(c.Timezone); err != nil {
		return c, fmt.Errorf("config: timezone %q (EXITFLOW_TIMEZONE / --timezone) is not an IANA time zone name such as America/New_York", c.Timezone)
	}
	if c.ExitBatchHouseholds < 0 {
		return c, fmt.Errorf("config: exit batch households %d (EXITFLOW_EXIT_BATCH_HOUSEHOLDS / --exit-batch-households) must be 0 (the engine's default) or more", c.ExitBatchHouseholds)
	}
	if _, _, err := ParseSweepTime(c.SweepTime); err != nil {
		return c, err
	}
	if u, err := url.Parse(c.DatabaseURL); err != nil || !strings.HasPrefix(u.Scheme, "postgres") {
		return c, fmt.Errorf("config: database URL %q (EXITFLOW_DATABASE_URL / --database-url) must look like postgres://user@host:5432/dbname", MaskURL(c.DatabaseURL))
	}
	return c, nil
}

// ParseSweepTime reads sweep_time: a local time of day HH:MM (00:00 to 23:59).
func ParseSweepTime(text string) (hour, minute int, err error) {
	s := strings.TrimSpace(text)
	t, perr := time.Parse("15:04", s)
	if perr != nil || len(s) != 5 {
		return 0, 0, fmt.Errorf("config: sweep_time %q (EXITFLOW_SWEEP_TIME / --sweep-time) must be a local time of day HH:MM (00:00 to 23:59) in the CoC time zone, such as 05:00", text)
	}
	return t.Hour(), t.Minute(), nil
}

// SweepClock is sweep_time as hour and minute (05:00 if it does not parse: Load refuses that).
func (c Config) SweepClock() (hour, minute int) {
	h, m, err := ParseSweepTime(c.SweepTime)
	if err != nil {
		return 5, 0
	}
	return h, m
}

// Location is the CoC's time zone.
func (c Config) Location() *time.Location {
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Today is today's date in the CoC's time zone, at midnight UTC (a calendar date).
func (c Config) Today() time.Time {
	y, m, d := time.Now().In(c.Location()).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// MaskURL hides the password of a URL, for messages and `config show`.
func MaskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Show returns key = value lines of the effective configuration, secrets masked.
func Show(v *viper.Viper) []string {
	var out []string
	for _, s := range Settings {
		val := v.GetString(s.Key)
		switch {
		case s.Secret && val != "":
			val = "*****"
		case s.Key == "database_url":
			val = MaskURL(val)
		}
		out = append(out, fmt.Sprintf("%-19s = %-45s (%s)", s.Key, val, s.Env))
	}
	return out
}
