package workflows

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestDecodeSignal(t *testing.T) {
	cases := []struct {
		a    Action
		raw  string
		want string // "" = valid
	}{
		{ActionAcknowledge, `{"from":"a@b"}`, ""},
		{ActionAcknowledge, `{"from":"a@b","note":"n"}`, ""},
		{ActionAcknowledge, `{"from":"a@b"} {"from":"x"}`, "one JSON object"},
		{ActionAcknowledge, ``, "JSON object is required"},
		{ActionAcknowledge, `null`, "JSON object is required"},
		{ActionAcknowledge, `{"from":"a@b","x":1}`, "unknown field"},
		{ActionAcknowledge, `{"from":["a"]}`, "wrong type"},
		{ActionCancel, `{"reason":"r"}`, "from is required"},
		{ActionCancel, `{"from":"  "}`, "from is required"},
		{ActionExtend, `{"from":"a@b","period_end":20260101}`, "wrong type"},
		{ActionReportIssue, `{"from":"a@b","description":""}`, "description is required"},
		{Action("nope"), `{}`, "unknown action"},
	}
	for _, c := range cases {
		_, err := decodeSignal(c.a, json.RawMessage(c.raw))
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s %s: %v", c.a, c.raw, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s %s: %v, want %q", c.a, c.raw, err, c.want)
		}
	}
}
