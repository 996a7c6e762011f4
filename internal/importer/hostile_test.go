package importer_test

// Hostile files (SPEC IO3, issue 7 point 2): each is refused with a message that says where and
// what, and changes nothing. Memory and time are measured through the CLI (starter/hostile_cli_test.go).

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/exitflow/exitflow/internal/importer"
	"github.com/exitflow/exitflow/internal/testdb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// zipEntry is one entry of a crafted archive: its header as given (sizes may lie) and raw bytes,
// or, with raw nil, body deflated the normal way.
type zipEntry struct {
	hdr  zip.FileHeader
	body []byte
	raw  []byte
}

func craftZip(t *testing.T, entries []zipEntry) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "export.zip")
	f, err := os.Create(path)
	require.NoError(t, err)
	zw := zip.NewWriter(f)
	for _, e := range entries {
		hdr := e.hdr
		if e.raw != nil {
			w, err := zw.CreateRaw(&hdr)
			require.NoError(t, err)
			_, err = w.Write(e.raw)
			require.NoError(t, err)
			continue
		}
		hdr.Method = zip.Deflate
		w, err := zw.CreateHeader(&hdr)
		require.NoError(t, err)
		_, err = w.Write(e.body)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	require.NoError(t, f.Close())
	return path
}

// validZip is the valid fixture as a .zip, with extra entries (one of a fixture file's name replaces it).
func validZip(t *testing.T, extra ...zipEntry) string {
	files := validFiles(t)
	for _, e := range extra {
		delete(files, e.hdr.Name)
	}
	var entries []zipEntry
	for name, b := range files {
		entries = append(entries, zipEntry{hdr: zip.FileHeader{Name: name}, body: b})
	}
	return craftZip(t, append(entries, extra...))
}

func TestHostileArchivesAreRefusedBeforeExpanding(t *testing.T) { // SPEC IO3
	link := zip.FileHeader{Name: "Client.csv"}
	link.SetMode(fs.ModeSymlink | 0o777)
	zeros := make([]byte, 64<<20) // deflates about 1000:1: a real zip bomb in miniature
	for _, tc := range []struct {
		name  string
		path  func(t *testing.T) string
		limit importer.Limits
		want  string
	}{
		{"declared past --max-bytes", func(t *testing.T) string {
			return validZip(t, zipEntry{hdr: zip.FileHeader{Name: "Services2.csv", Method: zip.Deflate, CompressedSize64: 1 << 20, UncompressedSize64: 30 << 30}, raw: make([]byte, 1<<20)})
		}, importer.Limits{}, "its entries would expand to more than 20.0 GiB (--max-bytes); the archive is refused before anything is expanded"},
		{"past a smaller --max-bytes", func(t *testing.T) string { return validZip(t) }, importer.Limits{MaxBytes: 1000},
			"would expand to more than 1000 bytes (--max-bytes)"},
		{"extreme compression ratio", func(t *testing.T) string {
			return validZip(t, zipEntry{hdr: zip.FileHeader{Name: "Bomb.csv"}, body: zeros})
		}, importer.Limits{}, `entry "Bomb.csv" would expand 1`},
		{"absolute path", func(t *testing.T) string {
			return validZip(t, zipEntry{hdr: zip.FileHeader{Name: "/etc/Client.csv"}, body: []byte("x")})
		}, importer.Limits{}, `entry "/etc/Client.csv" has an absolute path; the archive is refused`},
		{"drive letter", func(t *testing.T) string {
			return validZip(t, zipEntry{hdr: zip.FileHeader{Name: `C:\export\Funder.csv`}, body: []byte("x")})
		}, importer.Limits{}, `has an absolute path`},
		{"dot dot", func(t *testing.T) string {
			return validZip(t, zipEntry{hdr: zip.FileHeader{Name: "export/../../Funder.csv"}, body: []byte("x")})
		}, importer.Limits{}, `entry "export/../../Funder.csv" contains '..'`},
		{"dot dot with backslashes", func(t *testing.T) string {
			return validZip(t, zipEntry{hdr: zip.FileHeader{Name: `export\..\..\Funder.csv`}, body: []byte("x")})
		}, importer.Limits{}, `contains '..'`},
		{"symbolic link", func(t *testing.T) string {
			files := validFiles(t)
			delete(files, "Client.csv")
			var entries []zipEntry
			for name, b := range files {
				entries = append(entries, zipEntry{hdr: zip.FileHeader{Name: name}, body: b})
			}
			return craftZip(t, append(entries, zipEntry{hdr: link, body: []byte("/etc/passwd")}))
		}, importer.Limits{}, `entry "Client.csv" is a symbolic link`},
		{"a file twice", func(t *testing.T) string {
			return validZip(t, zipEntry{hdr: zip.FileHeader{Name: "old/Client.csv"}, body: []byte("PersonalID\n")})
		}, importer.Limits{}, "holds Client.csv twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, pool := testdb.New(t)
			before := snapshot(t, pool)
			res, err := importer.Run(context.Background(), pool, tc.path(t), importer.Options{Limits: tc.limit})
			require.Error(t, err, "%+v", res)
			assert.Contains(t, err.Error(), tc.want)
			assert.Equal(t, before, snapshot(t, pool))
		})
	}
}

func TestFolderWithASymbolicLinkIsRefused(t *testing.T) { // nothing outside the export is read
	_, pool := testdb.New(t)
	dir := fixture(t, nil)
	outside := filepath.Join(t.TempDir(), "Funder.csv")
	require.NoError(t, os.WriteFile(outside, []byte("FunderID\n"), 0o644))
	require.NoError(t, os.Remove(filepath.Join(dir, "Funder.csv")))
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "Funder.csv")))
	before := snapshot(t, pool)
	_, err := importer.Run(context.Background(), pool, dir, importer.Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Funder.csv: is a symbolic link; refused")
	assert.Equal(t, before, snapshot(t, pool))
}

func TestHostileCSVContentIsALocatedError(t *testing.T) { // SPEC IO3
	// 80 valid clients push what follows past the 4 KiB that the binary-file check looks at.
	var pad strings.Builder
	for i := 0; i < 80; i++ {
		pad.WriteString("CP" + strconv.Itoa(i) + ",Pad,Row,1980-01-01,2023-01-01 09:00:00,2023-01-01 09:00:00,U1,,E1\n")
	}
	longLine := "S9,N1,C1,2024-01-12,144,3,," + strings.Repeat("a", 3<<20) + ",2024-01-12 22:00:00,U1,,E1\n"
	manyLines := `S9,N1,C1,2024-01-12,144,3,,"` + strings.Repeat("line of a quoted field\n", 60000) + `",2024-01-12 22:00:00,U1,,E1` + "\n"
	wide := strings.Repeat("Extra,", 10000) + "ExportID\n"
	for _, tc := range []struct {
		name  string
		edits map[string]func(string) string
		want  string
	}{
		{"a line longer than 1 MiB", map[string]func(string) string{"Services.csv": appendRow(longLine)},
			"Services.csv:6: a CSV record (line, or the lines of one quoted field) longer than 1.0 MiB"},
		{"a quoted field of many lines longer than 1 MiB", map[string]func(string) string{"Services.csv": appendRow(manyLines)},
			"Services.csv:6: a CSV record (line, or the lines of one quoted field) longer than 1.0 MiB"},
		{"10,000 columns", map[string]func(string) string{"Funder.csv": func(string) string { return wide }},
			"Funder.csv:1: the header has 10001 columns; an HMIS CSV file has at most about 100"},
		{"a NUL byte after the first 4 KiB", map[string]func(string) string{"Client.csv": func(s string) string {
			return s + pad.String() + "C8,An\x00n,Nul,1980-01-01,2023-01-01 09:00:00,2023-01-01 09:00:00,U1,,E1\n"
		}}, "Client.csv:85:2: FirstName: contains a NUL byte (at byte 3 of the value): not text"},
		{"invalid UTF-8 after the first 4 KiB", map[string]func(string) string{"Client.csv": func(s string) string {
			return s + pad.String() + "C8,An\xffn,Bad,1980-01-01,2023-01-01 09:00:00,2023-01-01 09:00:00,U1,,E1\n"
		}}, "Client.csv:85:2: FirstName: is not valid UTF-8 text"},
		{"a NUL byte in the first 4 KiB", map[string]func(string) string{"Enrollment.csv": replace("H2,1,", "H2,1\x00,")},
			`Enrollment.csv: is not a CSV text file (binary data or not UTF-8)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, pool := testdb.New(t)
			before := snapshot(t, pool)
			res, err := importer.Run(context.Background(), pool, fixture(t, tc.edits), importer.Options{})
			require.ErrorIs(t, err, importer.ErrInvalid)
			var all []string
			for _, e := range res.Errors {
				all = append(all, e.String())
			}
			assert.Contains(t, strings.Join(all, "\n"), tc.want)
			assert.Equal(t, before, snapshot(t, pool))
		})
	}
}

func TestAMessageQuotesAtMostTheStartOfAHugeValue(t *testing.T) { // 100 errors of 1 MiB values would be 100 MiB of messages
	_, pool := testdb.New(t)
	huge := strings.Repeat("9x", 400<<10)
	res, err := importer.Run(context.Background(), pool, fixture(t, map[string]func(string) string{
		"Enrollment.csv": replace("H2,1,", "H2,"+huge+","),
	}), importer.Options{})
	require.ErrorIs(t, err, importer.ErrInvalid)
	require.NotEmpty(t, res.Errors)
	assert.Less(t, len(res.Errors[0].Msg), 200)
	assert.Contains(t, res.Errors[0].Msg, "(819200 bytes)")
}

func TestRecordLimitIsAnOption(t *testing.T) {
	_, pool := testdb.New(t)
	res, err := importer.Run(context.Background(), pool, fixture(t, nil), importer.Options{Limits: importer.Limits{MaxLineBytes: 100}})
	require.ErrorIs(t, err, importer.ErrInvalid)
	assert.Contains(t, res.Errors[0].String(), "longer than 100 bytes")
	// A deflate stream that lies about its size is caught while reading.
	var b bytes.Buffer
	fw, _ := flate.NewWriter(&b, flate.BestSpeed)
	_, _ = fw.Write([]byte("FunderID,ProjectID\n" + strings.Repeat("F1,P1\n", 1000)))
	_ = fw.Close()
	path := validZip(t, zipEntry{hdr: zip.FileHeader{Name: "Funder.csv", Method: zip.Deflate, CompressedSize64: uint64(b.Len()), UncompressedSize64: 40}, raw: b.Bytes()})
	res, err = importer.Run(context.Background(), pool, path, importer.Options{})
	require.ErrorIs(t, err, importer.ErrInvalid)
	var all []string
	for _, e := range res.Errors {
		all = append(all, e.String())
	}
	assert.Contains(t, strings.Join(all, "\n"), "Funder.csv: the .zip entry is damaged or holds more than its header declares")
}

func TestAZipOfTooManyEntriesIsRefusedBeforeItsDirectoryIsRead(t *testing.T) { // archive/zip keeps every entry in memory
	_, pool := testdb.New(t)
	var entries []zipEntry
	for i := 0; i < 10001; i++ {
		entries = append(entries, zipEntry{hdr: zip.FileHeader{Name: "f" + strconv.Itoa(i) + ".txt", Method: zip.Store}, raw: []byte{}})
	}
	_, err := importer.Run(context.Background(), pool, validZip(t, entries...), importer.Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the archive's directory holds more than 10000 entries or 4.0 MiB")

	// A directory of 100,000 records (ZIP64) that declares none: archive/zip reads records until a
	// bad one whatever the count says, so the bytes it reads are what is bounded.
	for i := 10001; i < 100000; i++ {
		entries = append(entries, zipEntry{hdr: zip.FileHeader{Name: "f" + strconv.Itoa(i) + ".txt", Method: zip.Store}, raw: []byte{}})
	}
	path := validZip(t, entries...)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	end := bytes.LastIndex(b, []byte("PK\x05\x06"))
	z64 := bytes.LastIndex(b, []byte("PK\x06\x06"))
	require.True(t, end > 0 && z64 > 0)
	for i := 24; i < 40; i++ { // ZIP64 end record: entries on this disk, entries in all
		b[z64+i] = 0
	}
	require.NoError(t, os.WriteFile(path, b, 0o644))
	_, err = importer.Run(context.Background(), pool, path, importer.Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "refused before it is read")
}

func TestDeclaredSizesThatWrapAroundAreRefused(t *testing.T) { // sums and products of uint64 sizes
	_, pool := testdb.New(t)
	huge := uint64(1<<64 - 16)
	for _, hdr := range []zip.FileHeader{
		{Name: "Wrap.csv", Method: zip.Deflate, CompressedSize64: huge / 200, UncompressedSize64: huge},
		{Name: "Wrap.csv", Method: zip.Deflate, CompressedSize64: 1 << 40, UncompressedSize64: 1 << 20},
	} {
		_, err := importer.Run(context.Background(), pool, validZip(t, zipEntry{hdr: hdr, raw: make([]byte, 64)}), importer.Options{})
		require.Error(t, err)
		assert.Regexp(t, `would expand to more than 20.0 GiB|declares .* of compressed data in a file of`, err.Error())
	}
}
