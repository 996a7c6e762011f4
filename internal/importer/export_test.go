package importer

// SetBulkRows lets tests take the bulk path (index rebuild) with small files.
func SetBulkRows(n int64) (restore func()) {
	old := bulkRows
	bulkRows = n
	return func() { bulkRows = old }
}
