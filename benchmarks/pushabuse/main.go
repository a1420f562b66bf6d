// Command pushabuse plays the abusive clients of issue 12 against a
// loki_push input, for benchmarks/push_abuse.sh:
//
//	pushabuse -addr 127.0.0.1:3500 -mode idle -n 150      # claim 16 MiB bodies, send 1 KiB, hold
//	pushabuse -addr 127.0.0.1:3500 -mode slow -n 3000     # send a body one byte per second
//	pushabuse -addr 127.0.0.1:3500 -mode hostile -n 8000000  # one protobuf of n empty entries
//	pushabuse -addr 127.0.0.1:3500 -mode small -n 10000 -c 16  # tiny pushes, requests/s and p99
//
// It prints what the server did (statuses, how long it held connections);
// the script reads the server's peak RSS itself.
package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/golang/snappy"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:3500", "the push input's host:port")
	mode := flag.String("mode", "idle", "idle, slow, hostile or small")
	n := flag.Int("n", 150, "connections (idle, slow), entries (hostile) or requests (small)")
	c := flag.Int("c", 16, "concurrent clients (small)")
	hold := flag.Duration("hold", 20*time.Second, "how long idle and slow clients hold on at most")
	flag.Parse()
	var err error
	switch *mode {
	case "idle":
		err = idle(*addr, *n, *hold)
	case "slow":
		err = slow(*addr, *n, *hold)
	case "hostile":
		err = hostile(*addr, *n)
	case "small":
		err = small(*addr, *n, *c)
	default:
		err = fmt.Errorf("unknown mode %q", *mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "pushabuse:", err)
		os.Exit(1)
	}
}

const header = "POST /loki/api/v1/push HTTP/1.1\r\nHost: tarn\r\nContent-Type: application/x-protobuf\r\nContent-Length: %d\r\n\r\n"

// idle opens n connections that each claim a 16 MiB body, send 1 KiB of
// it and then wait until the server closes the connection or hold passed.
func idle(addr string, n int, hold time.Duration) error {
	return holdConns(addr, n, hold, func(c net.Conn) error {
		if _, err := fmt.Fprintf(c, header, 16<<20); err != nil {
			return err
		}
		_, err := c.Write(make([]byte, 1024))
		return err
	}, nil)
}

// slow opens n connections that send a 1 MiB body one byte per second.
func slow(addr string, n int, hold time.Duration) error {
	return holdConns(addr, n, hold, func(c net.Conn) error {
		_, err := fmt.Fprintf(c, header, 1<<20)
		return err
	}, func(c net.Conn) error {
		_, err := c.Write([]byte{0})
		return err
	})
}

// holdConns dials n connections, runs open on each, then every second
// tick (if not nil) until the server closed the connection or hold
// passed, and prints how many the server closed and after how long.
func holdConns(addr string, n int, hold time.Duration, open, tick func(net.Conn) error) error {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var held []time.Duration
	opened := 0
	start := time.Now()
	for range n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return err
		}
		if err := open(c); err != nil {
			return err
		}
		opened++
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			t0 := time.Now()
			if closedBy(c, t0.Add(hold), tick) {
				mu.Lock()
				held = append(held, time.Since(t0))
				mu.Unlock()
			}
		}()
	}
	fmt.Printf("opened %d connections in %v\n", opened, time.Since(start).Round(time.Millisecond))
	wg.Wait()
	slices.Sort(held)
	fmt.Printf("server closed %d of %d within %v", len(held), opened, hold)
	if len(held) > 0 {
		fmt.Printf(" (median after %v, last after %v)", held[len(held)/2].Round(100*time.Millisecond), held[len(held)-1].Round(100*time.Millisecond))
	}
	fmt.Println()
	return nil
}

// closedBy reports whether the server answered or closed c before
// deadline, calling tick every second meanwhile.
func closedBy(c net.Conn, deadline time.Time, tick func(net.Conn) error) bool {
	buf := make([]byte, 512)
	for time.Now().Before(deadline) {
		c.SetReadDeadline(time.Now().Add(time.Second))
		_, err := c.Read(buf)
		if err == nil || err == io.EOF {
			return true
		}
		if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
			return true
		}
		if tick != nil && tick(c) != nil {
			return true
		}
	}
	return false
}

// hostile sends one snappy protobuf of n empty entries in one stream.
func hostile(addr string, n int) error {
	body := hostileBody(n)
	start := time.Now()
	resp, err := http.Post("http://"+addr+"/loki/api/v1/push", "application/x-protobuf", bytes.NewReader(body))
	if err != nil {
		return err
	}
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Printf("%d empty entries, %d bytes: %d %s in %v\n", n, len(body), resp.StatusCode,
		strings.TrimSpace(string(msg)), time.Since(start).Round(time.Millisecond))
	return nil
}

// hostileBody is a push.PushRequest of one stream {a="b"} with n empty
// entries, written field by field (an empty entry is 0x12 0x00).
func hostileBody(n int) []byte {
	labels := `{a="b"}`
	stream := append([]byte{0x0a, byte(len(labels))}, labels...)
	for range n {
		stream = append(stream, 0x12, 0x00)
	}
	req := append([]byte{0x0a}, binary.AppendUvarint(nil, uint64(len(stream)))...)
	return snappy.Encode(nil, append(req, stream...))
}

// small sends n tiny JSON pushes from c clients and prints requests/s and
// latency percentiles.
func small(addr string, n, c int) error {
	url := "http://" + addr + "/loki/api/v1/push"
	cl := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: c}}
	lat := make([]time.Duration, n)
	codes := map[int]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	start := time.Now()
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				body := fmt.Sprintf(`{"streams":[{"stream":{"app":"load"},"values":[["%d","request %d from 198.51.100.%d"]]}]}`, time.Now().UnixNano(), i, i%250)
				t0 := time.Now()
				resp, err := cl.Post(url, "application/json", strings.NewReader(body))
				code := 0
				if err == nil {
					io.Copy(io.Discard, bufio.NewReader(resp.Body))
					resp.Body.Close()
					code = resp.StatusCode
				}
				lat[i] = time.Since(t0)
				mu.Lock()
				codes[code]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	slices.Sort(lat)
	fmt.Printf("%d requests, %d clients: %.0f requests/s, p50 %v, p99 %v, statuses %v\n", n, c, float64(n)/el.Seconds(),
		lat[n/2].Round(100*time.Microsecond), lat[n*99/100].Round(100*time.Microsecond), codes)
	return nil
}
