package main

import (
	"errors"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// fifoDrain is how long a FIFO input still reads after SIGTERM or SIGINT:
// what the writers wrote before is in the pipe's buffer and is read at
// once, so a short time takes all of it.
const fifoDrain = 200 * time.Millisecond

// openInput opens --input for reading. A FIFO (named pipe) is opened
// read-write, so that tarn is a writer of its own pipe: its reads never
// see the end of the stream when a writer closes it (nginx reopens its
// logs at reload, SIGUSR1 and restart), and a writer's open never blocks
// for want of a reader while tarn runs. Such an input ends on SIGTERM or
// SIGINT, after reading what the pipe holds; close stops the signal
// watch and closes the file.
func openInput(path string) (io.Reader, func() error, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	if fi.Mode()&os.ModeNamedPipe == 0 {
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, err
		}
		return f, f.Close, nil
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, nil, err
	}
	sig, done := make(chan os.Signal, 1), make(chan struct{})
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		select {
		case <-sig:
			f.SetReadDeadline(time.Now().Add(fifoDrain))
		case <-done:
		}
	}()
	return fifoReader{f}, func() error {
		signal.Stop(sig)
		close(done)
		return f.Close()
	}, nil
}

// fifoReader reads a FIFO opened by openInput: the read deadline set at
// SIGTERM or SIGINT is the end of the stream.
type fifoReader struct{ f *os.File }

// Read reads from the FIFO; the deadline's error is io.EOF.
func (r fifoReader) Read(p []byte) (int, error) {
	n, err := r.f.Read(p)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		err = io.EOF
	}
	return n, err
}
