// Command demodb prints the URL of the database `make run` loads its demo CoC into: the server of
// the effective database URL (EXITFLOW_DATABASE_URL, else ./exitflow.yaml, else the default), with
// the database exitflow_demo, so demo data never lands in the database real data is imported into.
//
//	go run ./scripts/demodb
package main

import (
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/exitflow/exitflow/internal/config"
)

// DemoDatabase is the name of the demo CoC's database.
const DemoDatabase = "exitflow_demo"

func main() {
	u, err := effectiveDemoURL()
	if err != nil {
		fmt.Fprintln(os.Stderr, "demodb:", err)
		os.Exit(1)
	}
	fmt.Println(u)
}

// effectiveDemoURL reads the configuration the way exitflow does. `exitflow config show` masks the
// password, so run.sh cannot derive the URL from its output.
func effectiveDemoURL() (string, error) {
	v, err := config.New("")
	if err != nil {
		return "", err
	}
	c, err := config.Load(v)
	if err != nil {
		return "", err
	}
	return demoURL(c.DatabaseURL)
}

// demoURL is base with its database replaced by exitflow_demo; user, password, host, port and
// query parameters are kept.
func demoURL(base string) (string, error) {
	u, err := url.Parse(base)
	if err != nil || !strings.HasPrefix(u.Scheme, "postgres") {
		// Not echoed: a key=value string would show its password.
		return "", fmt.Errorf("the database URL is not a postgres:// URL")
	}
	u.Path, u.RawPath = "/"+DemoDatabase, ""
	// pgx lets a dbname (or database) parameter override the path.
	if q := u.Query(); q.Has("dbname") || q.Has("database") {
		q.Del("dbname")
		q.Del("database")
		u.RawQuery = q.Encode()
	}
	return u.String(), nil
}
