package main

import (
	"fmt"
	"strconv"
	"strings"
)

// byteSize is a flag value of bytes written as a number with an optional unit (KiB, MiB, GiB,
// TiB; KB, MB, GB, TB are read as the same powers of 1024).
type byteSize int64

var byteUnits = []struct {
	suffix string
	n      int64
}{{"tib", 1 << 40}, {"gib", 1 << 30}, {"mib", 1 << 20}, {"kib", 1 << 10}, {"tb", 1 << 40}, {"gb", 1 << 30}, {"mb", 1 << 20}, {"kb", 1 << 10}, {"b", 1}}

// String renders the size with the largest unit that divides it.
func (b *byteSize) String() string {
	for _, u := range byteUnits[:4] {
		if *b > 0 && int64(*b)%u.n == 0 {
			return fmt.Sprintf("%d%s", int64(*b)/u.n, strings.Replace(strings.ToUpper(u.suffix[:1])+u.suffix[1:], "ib", "iB", 1))
		}
	}
	return strconv.FormatInt(int64(*b), 10)
}

// Set parses "20GiB", "512 MiB" or "1048576".
func (b *byteSize) Set(s string) error {
	t := strings.ToLower(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range byteUnits {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.n
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return fmt.Errorf("%q is not a size (want a positive number of bytes, or one with KiB, MiB or GiB, like 20GiB)", s)
	}
	*b = byteSize(n * mult)
	return nil
}

// Type names the value in --help.
func (b *byteSize) Type() string { return "size" }
