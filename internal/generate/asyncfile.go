package generate

import (
	"os"
	"sync"
)

// asyncFile writes to a file from its own goroutine, so the system calls of all the export's files
// overlap with generating the rows. Write copies p: the caller may reuse it at once.
type asyncFile struct {
	f    *os.File
	ch   chan []byte
	free chan []byte
	done chan struct{}

	mu  sync.Mutex
	err error // first write error
}

// asyncDepth is how many chunks (each up to hmis.Writer's 1 MiB buffer) may wait for one file.
const asyncDepth = 4

func newAsyncFile(f *os.File) *asyncFile {
	a := &asyncFile{f: f, ch: make(chan []byte, asyncDepth), free: make(chan []byte, asyncDepth+1), done: make(chan struct{})}
	go a.loop()
	return a
}

func (a *asyncFile) loop() {
	defer close(a.done)
	for b := range a.ch {
		if a.failed() == nil {
			if _, err := a.f.Write(b); err != nil {
				a.mu.Lock()
				a.err = err
				a.mu.Unlock()
			}
		}
		select {
		case a.free <- b[:0]:
		default:
		}
	}
}

func (a *asyncFile) failed() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.err
}

// Write queues a copy of p for the file.
func (a *asyncFile) Write(p []byte) (int, error) {
	if err := a.failed(); err != nil {
		return 0, err
	}
	var b []byte
	select {
	case b = <-a.free:
	default:
		b = make([]byte, 0, max(len(p), 1<<20))
	}
	a.ch <- append(b, p...)
	return len(p), nil
}

// Close waits for queued writes, closes the file and returns the first error.
func (a *asyncFile) Close() error {
	if a.ch != nil {
		close(a.ch)
		<-a.done
		a.ch = nil
	}
	err := a.failed()
	if cerr := a.f.Close(); err == nil {
		err = cerr
	}
	return err
}
