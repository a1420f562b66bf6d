package httpserve

import (
	"context"
	"net"
	"net/http"
	"time"
)

// Serve serves srv on ln until ctx ends, then lets the requests in flight
// finish (up to 5 s) before it returns, so none touches a closed spool.
func Serve(ctx context.Context, ln net.Listener, srv *http.Server) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	<-errc
	return err
}
