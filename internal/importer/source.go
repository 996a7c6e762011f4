package importer

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// source is an export on disk: a folder or a .zip, its CSV files found by name case-insensitively.
type source struct {
	path  string
	files map[string]entry // lower-case base name ("enrollment.csv") → entry
	zip   *zip.ReadCloser
}

type entry struct {
	name string // name as found (for messages)
	size int64
	open func() (io.ReadCloser, error)
}

func openSource(path string) (*source, error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: no such file or folder (want an HMIS CSV export folder or .zip)", path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s := &source{path: path, files: map[string]entry{}}
	if st.IsDir() {
		des, err := os.ReadDir(path)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		for _, de := range des {
			if de.IsDir() {
				continue
			}
			full := filepath.Join(path, de.Name())
			info, err := de.Info()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", full, err)
			}
			s.add(de.Name(), info.Size(), func() (io.ReadCloser, error) { return os.Open(full) })
		}
	} else {
		zr, err := zip.OpenReader(path)
		if err != nil {
			return nil, fmt.Errorf("%s: not a folder or a readable .zip (%v)", path, err)
		}
		s.zip = zr
		for _, zf := range zr.File {
			if zf.FileInfo().IsDir() || strings.HasPrefix(filepath.Base(zf.Name), "._") {
				continue
			}
			zf := zf
			s.add(filepath.Base(zf.Name), int64(zf.UncompressedSize64), zf.Open)
		}
	}
	if _, ok := s.files["export.csv"]; !ok {
		if s.csvCount() == 0 {
			return nil, s.fail(fmt.Errorf("%s: no CSV files found (want an HMIS CSV export with Export.csv)", path))
		}
		return nil, s.fail(fmt.Errorf("%s: no Export.csv (every HMIS CSV export has exactly one Export.csv)", path))
	}
	return s, nil
}

func (s *source) add(name string, size int64, open func() (io.ReadCloser, error)) {
	key := strings.ToLower(name)
	if !strings.HasSuffix(key, ".csv") {
		return
	}
	s.files[key] = entry{name: name, size: size, open: open}
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
