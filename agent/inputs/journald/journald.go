// Package journald is the input that follows the systemd journal: it
// runs `journalctl --output=export --after-cursor=...` to the journal's
// end, and again from its cursor every poll_interval (not --follow,
// which was seen to skip entries while a writer appended). The README's
// journald section says why journalctl rather than libsystemd with cgo.
// Each entry becomes a record whose line is a syslog line "TIME HOST
// IDENTIFIER[PID]: MESSAGE" (so the syslog parsers of the rules see
// sshd, sudo, PAM, postfix and dovecot messages), labelled with its
// unit, identifier, host and level; the cursor of the last entry that is
// durable in the spool is persisted.
package journald

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/tarn-project/tarn/agent/inputs"
)

// Input follows the journal for one journald input.
type Input struct {
	s       *Settings
	env     inputs.Env
	store   *cursorStore
	log     *zap.Logger
	skipped *prometheus.CounterVec
	restart prometheus.Counter
}

var _ inputs.Input = (*Input)(nil)

func init() {
	inputs.Register("journald", inputs.Factory{
		Settings: func() inputs.Settings { return DefaultSettings() },
		New:      func(s inputs.Settings, env inputs.Env) (inputs.Input, error) { return New(s.(*Settings), env) },
	})
}

// readBuffer is the size of the buffer over journalctl's output, and of
// the pipe where the system allows it.
const readBuffer = 1 << 20

// maxBatchBytes bounds the lines of one batch.
const maxBatchBytes = 8 << 20

// fieldLimit bounds the bytes kept of a field other than MESSAGE.
const fieldLimit = 1024

// defaultMaxLine is the message limit when the agent passes none.
const defaultMaxLine = 256 << 10

// New returns the input of validated settings; it reads nothing before
// Run. The cursor lives in env.DataDir.
func New(s *Settings, env inputs.Env) (*Input, error) {
	if env.DataDir == "" {
		return nil, errors.New("journald: the input needs the agent's data_dir for its cursor")
	}
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Logger == nil {
		env.Logger = zap.NewNop()
	}
	if env.Registry == nil {
		env.Registry = prometheus.NewRegistry()
	}
	log := env.Logger.With(zap.String("component", "journald"))
	in := &Input{s: s, env: env, log: log, store: newCursorStore(env.DataDir, env.Name, log)}
	in.skipped = inputs.CounterVec(env.Registry, prometheus.CounterOpts{Name: "tarn_journald_skipped_entries_total",
		Help: "Journal entries a journald input left out, by reason (too_old: past max_age; no_message: no MESSAGE field; broken: not in the export format)."},
		"input", "reason")
	in.restart = inputs.CounterVec(env.Registry, prometheus.CounterOpts{Name: "tarn_journald_restarts_total",
		Help: "Times a journald input started journalctl again after it ended."}, "input").WithLabelValues(env.Name)
	return in, nil
}

// Run follows the journal until ctx ends (in run-once mode, to its end),
// ingesting batches of entries and saving the cursor of each batch after
// Ingest made it durable; journalctl is started again, after a backoff,
// from the last durable cursor when it ends. The last cursor is saved
// before Run returns.
func (in *Input) Run(ctx context.Context, h inputs.Host) error {
	cur, err := in.store.load()
	if err != nil {
		return err
	}
	sctx, stopSaver := context.WithCancel(context.Background())
	var saver sync.WaitGroup
	saver.Add(1)
	go func() { defer saver.Done(); in.store.run(sctx) }()
	if cur == "" && in.s.StartAt == "end" {
		if cur, err = in.lastCursor(ctx); err == nil && cur != "" {
			in.store.set(cur)
		}
	}
	if err == nil {
		in.log.Info("journald: reading the journal", zap.Bool("saved_cursor", cur != ""), zap.Bool("follow", !in.env.Once))
		err = in.loop(ctx, h)
	}
	stopSaver()
	saver.Wait()
	return errors.Join(err, in.store.save())
}

// loop runs journalctl from the cursor until ctx ends: again after
// poll_interval when it reached the journal's end, after a backoff when
// it failed; in run-once mode once.
func (in *Input) loop(ctx context.Context, h inputs.Host) error {
	backoff := time.Second
	for {
		n, fatal, ended := in.stream(ctx, h)
		switch {
		case fatal != nil:
			return fatal
		case ctx.Err() != nil:
			return nil
		case in.env.Once:
			return ended
		}
		if n > 0 {
			backoff = time.Second
		}
		if ended == nil { // the journal's end: read on from the cursor after a poll
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(time.Duration(in.s.PollInterval)):
			}
			continue
		}
		in.restart.Inc()
		in.log.Warn("journald: journalctl ended, starting it again", zap.Error(ended), zap.Duration("backoff", backoff))
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

// stream runs one journalctl from the current cursor and ingests what it
// writes until it ends. n counts the entries ingested; fatal is an
// ingest error, which ends the input; ended says why journalctl ended.
func (in *Input) stream(ctx context.Context, h inputs.Host) (n int, fatal, ended error) {
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd, stdout, stderr, err := in.start(cctx, in.args(in.store.current()))
	if err != nil {
		return 0, nil, err
	}
	full, free := make(chan *batch), make(chan *batch, 2)
	free <- &batch{}
	free <- &batch{}
	perr := make(chan error, 1)
	go func() {
		defer close(full)
		perr <- in.parse(cctx, stdout, full, free)
	}()
	for bt := range full {
		if fatal == nil {
			if fatal = in.ingest(ctx, h, bt); fatal != nil {
				cancel() // stop journalctl; the parser ends and closes full
			} else {
				n += len(bt.b.Records)
			}
		}
		free <- bt
	}
	pe := <-perr
	if fatal != nil || !errors.Is(pe, io.EOF) {
		cancel() // a journalctl that ended by itself is waited for, not killed
	}
	werr := cmd.Wait()
	if fatal != nil {
		if ctx.Err() != nil {
			return n, nil, nil // stopped while the spool was full: read again after a restart
		}
		return n, fatal, nil
	}
	if errors.Is(pe, io.EOF) {
		pe = nil
	}
	if werr != nil && ctx.Err() == nil {
		return n, nil, fmt.Errorf("journald: %s: %w%s", in.s.Journalctl, werr, stderr.text())
	}
	return n, nil, pe
}

// ingest hands one batch to h and, once it is durable, makes its cursor
// the one to save.
func (in *Input) ingest(ctx context.Context, h inputs.Host, bt *batch) error {
	if len(bt.b.Records) > 0 {
		if err := h.Ingest(ctx, &bt.b); err != nil {
			return err
		}
	}
	in.count("too_old", bt.tooOld)
	in.count("no_message", bt.noMessage)
	in.count("broken", bt.broken)
	if len(bt.cursor) > 0 {
		in.store.set(string(bt.cursor))
	}
	return nil
}

func (in *Input) count(reason string, n int) {
	if n > 0 {
		in.skipped.WithLabelValues(in.env.Name, reason).Add(float64(n))
	}
}

// parse reads the export stream r into batches, sent on full: a batch
// is sent when it is full or when what journalctl wrote is used up (so a
// quiet journal's entries are not held back). It returns io.EOF at the
// stream's end. A stream that is not in the export format ends the
// parse; its broken entry is skipped (its cursor is the batch's) when
// its cursor was read.
func (in *Input) parse(ctx context.Context, r io.Reader, full chan<- *batch, free <-chan *batch) error {
	br := bufio.NewReaderSize(r, readBuffer)
	var extra []string
	for _, t := range in.s.named {
		extra = append(extra, t.field)
	}
	maxLine := in.env.MaxLineBytes
	if maxLine <= 0 {
		maxLine = defaultMaxLine
	}
	x := newExportReader(br, extra, maxLine+1, fieldLimit)
	bd := newBuilder(in.s, x, in.env.Now)
	bt := <-free
	bt.reset()
	send := func() bool {
		bt.seal()
		select {
		case full <- bt:
		case <-ctx.Done():
			return false
		}
		bt = <-free
		bt.reset()
		return true
	}
	for {
		err := x.next()
		if err != nil {
			if c, ok := x.value(fCursor); ok && errors.Is(err, errExport) {
				bt.cursor = stripCursor(bt.cursor, c)
				bt.broken++
			}
			if len(bt.b.Records) > 0 || len(bt.cursor) > 0 {
				send()
			}
			return err
		}
		bd.add(bt, x)
		if len(bt.b.Records) >= in.s.BatchEntries || len(bt.arena) >= maxBatchBytes || br.Buffered() == 0 {
			if !send() {
				return ctx.Err()
			}
		}
	}
}

// lastCursor returns the cursor of the journal's last entry (of all
// entries, whatever the filters: the input follows after it), "" for an
// empty journal.
func (in *Input) lastCursor(ctx context.Context) (string, error) {
	args := append([]string{"--output=export", "--no-pager", "--quiet", "--lines=1"}, in.sourceArgs()...)
	cmd, stdout, stderr, err := in.start(ctx, args)
	if err != nil {
		return "", err
	}
	x := newExportReader(bufio.NewReader(stdout), nil, 0, 512)
	perr := x.next()
	io.Copy(io.Discard, stdout)
	if werr := cmd.Wait(); werr != nil {
		return "", fmt.Errorf("journald: %s --lines=1: %w%s", in.s.Journalctl, werr, stderr.text())
	}
	c, ok := x.value(fCursor)
	if perr != nil || !ok {
		return "", nil
	}
	return string(stripCursor(nil, c)), nil
}

// start starts journalctl with args.
func (in *Input) start(ctx context.Context, args []string) (*exec.Cmd, io.Reader, *tailBuffer, error) {
	cmd := exec.CommandContext(ctx, in.s.Journalctl, args...)
	cmd.WaitDelay = 5 * time.Second
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("journald: %w", err)
	}
	stderr := &tailBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		return nil, nil, nil, fmt.Errorf("journald: start %s (install systemd's journalctl or set journalctl:): %w", in.s.Journalctl, err)
	}
	growPipe(stdout, readBuffer)
	return cmd, stdout, stderr, nil
}

// args are journalctl's arguments for reading after cursor to the
// journal's current end ("" for a fresh start by start_at, since and
// max_age); loop reads on after poll_interval.
func (in *Input) args(cursor string) []string {
	a := append([]string{"--output=export", "--no-pager", "--quiet"}, in.sourceArgs()...)
	if cursor != "" {
		a = append(a, "--after-cursor="+cursor)
	} else if since := in.since(); !since.IsZero() {
		a = append(a, "--since=@"+strconv.FormatInt(since.Unix(), 10))
	}
	if in.s.Priority != "" {
		a = append(a, "--priority="+strconv.Itoa(in.s.prio[0])+".."+strconv.Itoa(in.s.prio[1]))
	}
	for _, u := range in.s.Units {
		a = append(a, "--unit="+u)
	}
	for _, id := range in.s.Identifiers {
		a = append(a, "--identifier="+id)
	}
	return append(a, in.s.Matches...)
}

// sourceArgs name the journal to read.
func (in *Input) sourceArgs() []string {
	if in.s.Directory != "" {
		return []string{"--directory=" + in.s.Directory}
	}
	var a []string
	for _, f := range in.s.Files {
		a = append(a, "--file="+f)
	}
	return a
}

// since is where a fresh start reads from: the later of since and now
// minus max_age (zero: the journal's beginning).
func (in *Input) since() time.Time {
	t := in.s.since
	if in.s.MaxAge > 0 {
		if m := in.env.Now().Add(-time.Duration(in.s.MaxAge)); m.After(t) {
			t = m
		}
	}
	return t
}

// tailBuffer keeps the last bytes journalctl wrote to its standard error
// (its own messages: options, files, cursors; never entries), for the
// error of a journalctl that failed.
type tailBuffer struct {
	mu sync.Mutex
	b  []byte
}

// Write keeps the last 1 KiB written.
func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > 1024 {
		t.b = append(t.b[:0], t.b[len(t.b)-1024:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) text() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.b) == 0 {
		return ""
	}
	return ": " + strconv.Quote(string(t.b))
}
