package importer

// SetDirectBytes lets tests copy small files straight into empty tables (the path of big first imports).
func SetDirectBytes(n int64) (restore func()) {
	old := directBytes
	directBytes = n
	return func() { directBytes = old }
}
