package importer

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
)

// Bounds of a .zip's central directory, checked before archive/zip reads it (it keeps one entry
// struct per directory record in memory): an HMIS CSV export has about 25 files and a directory
// of a few KiB.
const (
	maxZipEntries = 10000
	maxZipDirSize = 4 << 20
)

// checkZipDirectory reads the end of central directory record (and its ZIP64 form) of path and
// refuses an archive whose directory is larger than any export's. A file it cannot make sense of
// is left to archive/zip, which reports it.
func checkZipDirectory(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	// The record is 22 bytes plus a comment of up to 64 KiB, at the end of the file.
	tail := min(st.Size(), 22+65535+20)
	buf := make([]byte, tail)
	if _, err := f.ReadAt(buf, st.Size()-tail); err != nil && err != io.EOF {
		return err
	}
	i := bytes.LastIndex(buf, []byte("PK\x05\x06"))
	if i < 0 || len(buf)-i < 22 {
		return nil
	}
	eocd := buf[i:]
	entries := uint64(binary.LittleEndian.Uint16(eocd[10:]))
	size := uint64(binary.LittleEndian.Uint32(eocd[12:]))
	if entries == 0xffff || size == 0xffffffff {
		if entries, size, err = zip64Directory(f, buf[:i]); err != nil {
			return nil
		}
	}
	if entries > maxZipEntries || size > maxZipDirSize {
		return fmt.Errorf("%s: the archive lists %d entries in a directory of %s; an HMIS CSV export has about 25 files, so it is refused before it is read", path, entries, byteSize(int64(size)))
	}
	return nil
}

// zip64Directory reads the entry count and directory size of a ZIP64 archive; before is the file's
// tail up to the end of central directory record, whose last 20 bytes are the ZIP64 locator.
func zip64Directory(f *os.File, before []byte) (entries, size uint64, err error) {
	if len(before) < 20 || !bytes.Equal(before[len(before)-20:len(before)-16], []byte("PK\x06\x07")) {
		return 0, 0, fmt.Errorf("no ZIP64 locator")
	}
	off := binary.LittleEndian.Uint64(before[len(before)-20+8:])
	rec := make([]byte, 56)
	if _, err := f.ReadAt(rec, int64(off)); err != nil {
		return 0, 0, err
	}
	if !bytes.Equal(rec[:4], []byte("PK\x06\x06")) {
		return 0, 0, fmt.Errorf("no ZIP64 end of central directory record")
	}
	return binary.LittleEndian.Uint64(rec[32:]), binary.LittleEndian.Uint64(rec[40:]), nil
}
