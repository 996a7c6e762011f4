package importer

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// source is an export on disk: a folder or a .zip, its CSV files found by name case-insensitively.
type source struct {
	path  string
	files map[string]entry // lower-case base name ("enrollment.csv") → entry
	zip   *os.File         // the .zip's file, if the export is one
}

type entry struct {
	name string // name as found (for messages)
	size int64
	open func() (io.ReadCloser, error)
}

// Limits of what an import reads, so that a hostile export is refused in bounded memory and time
// (SPEC IO3). The zero value means the defaults.
type Limits struct {
	MaxBytes     int64 // total uncompressed size of a .zip's entries; default 20 GiB
	MaxLineBytes int   // longest CSV record (a line, or the lines of one quoted field); default 1 MiB
}

// Defaults of Limits.
const (
	DefaultMaxBytes     int64 = 20 << 30
	DefaultMaxLineBytes       = 1 << 20
	// maxRatio is the largest compression ratio of a .zip entry over 1 MiB: HMIS CSV compresses
	// 5-15:1, deflate at most about 1030:1 (a "zip bomb" of one repeated byte).
	maxRatio = 200
)

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxLineBytes <= 0 {
		l.MaxLineBytes = DefaultMaxLineBytes
	}
	return l
}

func openSource(path string, lim Limits) (*source, error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: no such file or folder (want an HMIS CSV export folder or .zip)", path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s := &source{path: path, files: map[string]entry{}}
	if st.IsDir() {
		err = s.readDir(path)
	} else {
		err = s.readZip(path, lim)
	}
	if err != nil {
		return nil, s.fail(err)
	}
	if _, ok := s.files["export.csv"]; !ok {
		if s.csvCount() == 0 {
			return nil, s.fail(fmt.Errorf("%s: no CSV files found (want an HMIS CSV export with Export.csv)", path))
		}
		return nil, s.fail(fmt.Errorf("%s: no Export.csv (every HMIS CSV export has exactly one Export.csv)", path))
	}
	return s, nil
}

// readDir lists a folder export. A symbolic link is refused: nothing outside the export is read.
func (s *source) readDir(path string) error {
	des, err := os.ReadDir(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	for _, de := range des {
		full := filepath.Join(path, de.Name())
		if de.Type()&fs.ModeSymlink != 0 {
			return fmt.Errorf("%s: is a symbolic link; refused, so that nothing outside the export is read (copy the file into the folder)", full)
		}
		if de.IsDir() || !de.Type().IsRegular() {
			continue
		}
		info, err := de.Info()
		if err != nil {
			return fmt.Errorf("%s: %w", full, err)
		}
		if err := s.add(de.Name(), info.Size(), func() (io.ReadCloser, error) { return os.Open(full) }); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return nil
}

// readZip lists a .zip export and refuses, before expanding anything, entries whose names lead
// outside the export, links, and archives that would expand past lim.MaxBytes or whose entries
// are compressed beyond any CSV (archive/zip refuses an entry that holds more than its header says).
func (s *source) readZip(path string, lim Limits) error {
	zr, f, size, err := openZip(path)
	if err != nil {
		return err
	}
	s.zip = f
	var total uint64
	for _, zf := range zr.File {
		if err := unsafeEntry(zf); err != "" {
			return fmt.Errorf("%s: entry %q %s; the archive is refused (nothing outside the export is ever read or written)", path, clip(zf.Name), err)
		}
		// Compared without sums or products that could wrap around (sizes are declared by the archive).
		if zf.UncompressedSize64 > uint64(lim.MaxBytes)-total {
			return fmt.Errorf("%s: its entries would expand to more than %s (--max-bytes); the archive is refused before anything is expanded", path, byteSize(lim.MaxBytes))
		}
		total += zf.UncompressedSize64
		if zf.CompressedSize64 > uint64(size) {
			return fmt.Errorf("%s: entry %q declares %s of compressed data in a file of %s; the archive is damaged or hostile, so it is refused", path, clip(zf.Name), byteSize(int64(min(zf.CompressedSize64, 1<<62))), byteSize(size))
		}
		if zf.UncompressedSize64 > 1<<20 && zf.UncompressedSize64/maxRatio > zf.CompressedSize64 {
			return fmt.Errorf("%s: entry %q would expand %d times (%s from %s); no HMIS CSV compresses beyond %d:1, so the archive is refused as a zip bomb",
				path, clip(zf.Name), zf.UncompressedSize64/max(zf.CompressedSize64, 1), byteSize(int64(min(zf.UncompressedSize64, 1<<62))), byteSize(int64(zf.CompressedSize64)), maxRatio)
		}
		base := zf.Name[strings.LastIndexAny(zf.Name, "/\\")+1:] // zips made on Windows may use backslashes
		if zf.FileInfo().IsDir() || strings.HasPrefix(base, "._") {
			continue
		}
		if err := s.add(base, int64(zf.UncompressedSize64), zf.Open); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return nil
}

// unsafeEntry says why a zip entry may not be read, or "".
func unsafeEntry(zf *zip.File) string {
	name := strings.ReplaceAll(zf.Name, "\\", "/")
	switch {
	case strings.HasPrefix(name, "/") || filepath.IsAbs(name) || (len(name) > 1 && name[1] == ':'):
		return "has an absolute path"
	case slices.Contains(strings.Split(name, "/"), ".."):
		return "contains '..'"
	case zf.Mode()&fs.ModeSymlink != 0:
		return "is a symbolic link"
	case zf.Mode()&(fs.ModeDevice|fs.ModeNamedPipe|fs.ModeSocket|fs.ModeCharDevice) != 0:
		return "is not a regular file"
	}
	return ""
}

// byteSize renders n bytes for people (GiB, MiB, KiB).
func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// add records a CSV file of the export; two files of one name (in two folders of a .zip) are refused.
func (s *source) add(name string, size int64, open func() (io.ReadCloser, error)) error {
	key := strings.ToLower(name)
	if !strings.HasSuffix(key, ".csv") {
		return nil
	}
	if prev, dup := s.files[key]; dup {
		return fmt.Errorf("holds %s twice (%s and %s): which one is the export's is unclear", name, prev.name, name)
	}
	s.files[key] = entry{name: name, size: size, open: open}
	return nil
}

func (s *source) csvCount() int { return len(s.files) }

func (s *source) fail(err error) error {
	s.Close()
	return err
}

// unknown lists CSV files that are not part of the HMIS CSV spec.
func (s *source) unknown(known func(string) bool) []string {
	var out []string
	for k, e := range s.files {
		if !known(k) {
			out = append(out, e.name)
		}
	}
	sort.Strings(out)
	return out
}

// Close releases the zip, if any.
func (s *source) Close() {
	if s.zip != nil {
		s.zip.Close()
	}
}
