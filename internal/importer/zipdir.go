package importer

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
)

// Bounds of a .zip's central directory. archive/zip keeps one struct per directory record in
// memory and reads records until one is malformed, whatever count the archive declares; an HMIS
// CSV export has about 25 files and a directory of a few KiB.
const (
	maxZipEntries = 10000
	maxZipDirSize = 4 << 20
	// zipEndSearch is what archive/zip reads while it looks for the end of the directory.
	zipEndSearch = 1024 + 65*1024 + 2*56
)

var errZipDirectory = errors.New("zip directory too large")

// budgetReader is the archive as archive/zip reads it while it opens it: reads beyond the budget
// fail, so a directory of millions of records is refused before it is held in memory.
type budgetReader struct {
	r    io.ReaderAt
	left int64
}

func (b *budgetReader) ReadAt(p []byte, off int64) (int, error) {
	if int64(len(p)) > b.left {
		return 0, errZipDirectory
	}
	b.left -= int64(len(p))
	return b.r.ReadAt(p, off)
}

// openZip opens path as a .zip whose central directory stays within maxZipDirSize bytes and
// maxZipEntries entries, and its size. The returned file backs the reader: close it when done.
func openZip(path string) (*zip.Reader, *os.File, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	zr, err := zip.NewReader(&budgetReader{r: f, left: maxZipDirSize + zipEndSearch}, st.Size())
	if errors.Is(err, errZipDirectory) || (err == nil && len(zr.File) > maxZipEntries) {
		f.Close()
		return nil, nil, 0, fmt.Errorf("%s: the archive's directory holds more than %d entries or %s; an HMIS CSV export has about 25 files, so it is refused before it is read",
			path, maxZipEntries, byteSize(maxZipDirSize))
	}
	if err != nil {
		f.Close()
		return nil, nil, 0, fmt.Errorf("%s: not a folder or a readable .zip (%v)", path, err)
	}
	// The entries are read through the file itself: the budget was for the directory.
	zr, err = zip.NewReader(f, st.Size())
	if err != nil {
		f.Close()
		return nil, nil, 0, fmt.Errorf("%s: not a folder or a readable .zip (%v)", path, err)
	}
	return zr, f, st.Size(), nil
}
