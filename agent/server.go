package agent

import (
	"fmt"
	"net/http"
	"os"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tarn-project/tarn/agent/config"
)

// Handler serves /metrics (Prometheus), /healthz (the process is up),
// /readyz (a configuration is running, the spool has room, no sink has
// been failing for longer than NotReadyAfter) and, with server.stats,
// /stats (the aggregates as an HTML page).
func (a *Agent) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(a.m.reg, promhttp.HandlerOpts{}))
	mux.Handle("/stats", a.statsHandler())
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) {
		if err := a.ready(); err != nil {
			http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	return mux
}

// watcher notices changes of the configuration file and of the rules
// files it names, by size, modification time and file identity (device
// and inode, following symlinks): a Kubernetes ConfigMap volume is
// updated by swapping its ..data symlink to a new directory, so an edit
// is a new file behind the same name even when it keeps the old size
// and modification time.
type watcher struct {
	paths []string
	seen  []string
}

func newWatcher(configPath string, cfg *config.Config) *watcher {
	w := &watcher{paths: append([]string{configPath}, cfg.RulesFiles(configPath)...)}
	w.seen = w.stat()
	return w
}

func (w *watcher) stat() []string {
	out := make([]string, len(w.paths))
	for i, p := range w.paths {
		if fi, err := os.Stat(p); err == nil {
			out[i] = fmt.Sprint(fi.Size(), fi.ModTime().Format(time.RFC3339Nano))
			if st, ok := fi.Sys().(*syscall.Stat_t); ok {
				out[i] += fmt.Sprint(" ", st.Dev, ":", st.Ino)
			}
		}
	}
	return out
}

// changed reports whether a file changed since the last call.
func (w *watcher) changed() bool {
	now := w.stat()
	for i := range now {
		if now[i] != w.seen[i] {
			w.seen = now
			return true
		}
	}
	return false
}
