// Command ferretdb runs FerretDB 1.x with its SQLite backend as a plain local process.
//
// `go install .../cmd/ferretdb` panics at start (missing build/version/version.txt, upstream
// issue #2982), so qingshan builds this wrapper around the embeddable package instead.
//
// FerretDB 1.x applies an update as read-modify-write without a transaction, so two concurrent
// writes to one document lose one of them (measured: 200 concurrent $inc left n=6). MongoDB
// guarantees single-document atomicity and qingshan relies on it (outbox, optimistic
// concurrency, counters). The wrapper therefore puts a small wire-protocol proxy in front of
// FerretDB that lets reads through concurrently and runs write commands one at a time.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	_ "net/http/pprof" // served only with -pprof
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"sync"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

const opMsg = 2013

// Commands that read-modify-write documents; everything else passes through concurrently.
var writeCommands = map[string]bool{
	"insert": true, "update": true, "delete": true, "findAndModify": true, "findandmodify": true,
	"createIndexes": true, "dropIndexes": true, "create": true, "drop": true,
	"dropDatabase": true, "renameCollection": true,
}

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	dataDir := flag.String("data", "data", "directory for the SQLite databases")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	// WAL with synchronous=NORMAL survives a crash of any process but may lose the last
	// commits on power loss: right for a local development and test store, and it spares an
	// fsync per commit. Use -sync full for anything that must survive the machine.
	syncMode := flag.String("sync", "normal", "SQLite synchronous pragma: normal or full")
	// Profiling the store under load (`go tool pprof http://ADDR/debug/pprof/profile`).
	pprofAddr := flag.String("pprof", "", "serve net/http/pprof on this address (off if empty)")
	// Which commands cost the store its time: every interval, log the commands seen since the
	// last report by name, collection and the keys of their filter and sort, with their time.
	statsEvery := flag.Duration("stats", 0, "log per-command statistics at this interval (0: off)")
	// FerretDB allocates for every document it decodes; with Go's default GOGC=100 the
	// collector took ~14 % of the store's CPU under the intake load. Collect less often, with a
	// soft memory limit that makes it collect sooner whenever the heap nears it.
	gcPercent := flag.Int("gc-percent", 400, "Go GC target percentage (GOGC)")
	memLimit := flag.Int64("mem-limit-mb", 2048, "Go soft memory limit in MiB (GOMEMLIMIT)")
	flag.Parse()
	debug.SetGCPercent(*gcPercent)
	debug.SetMemoryLimit(*memLimit << 20)
	if *pprofAddr != "" {
		go func() { log.Println(http.ListenAndServe(*pprofAddr, nil)) }()
	}

	if err := os.MkdirAll(*dataDir, 0o755); err != nil {
		log.Fatal(err)
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		log.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	abs, err := filepath.Abs(*dataDir)
	if err != nil {
		log.Fatal(err)
	}
	// Unix socket paths are limited to ~108 bytes: keep it short, unique per data directory.
	sum := sha256.Sum256([]byte(abs))
	socket := filepath.Join(os.TempDir(), fmt.Sprintf("qingshan-ferretdb-%x.sock", sum[:8]))
	_ = os.Remove(socket)
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{Unix: socket},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + *dataDir + "/?_pragma=synchronous(" + *syncMode + ")",
	})
	if err != nil {
		log.Fatal(err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		if err := f.Run(ctx); err != nil {
			log.Fatal(err)
		}
	}()

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	logger.Info("FerretDB listening", "addr", *listen, "data", *dataDir)
	var writes sync.Mutex
	var stats *commandStats
	if *statsEvery > 0 {
		stats = newCommandStats()
		go stats.report(ctx, *statsEvery, logger)
	}
	for {
		client, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			logger.Warn("accept failed", "error", err)
			continue
		}
		go serve(client, socket, &writes, stats, logger)
	}
}

// serve relays one client connection: request, then its reply, strictly in turn (drivers do
// not pipeline on a connection), holding the write lock around write commands.
func serve(
	client net.Conn, socket string, writes *sync.Mutex, stats *commandStats, logger *slog.Logger,
) {
	defer client.Close()
	backend, err := net.Dial("unix", socket)
	if err != nil {
		logger.Warn("backend dial failed", "error", err)
		return
	}
	defer backend.Close()
	for {
		req, err := readMessage(client)
		if err != nil {
			return
		}
		write := isWrite(req)
		start := time.Now()
		if write {
			writes.Lock()
		}
		err = roundTrip(backend, client, req)
		if write {
			writes.Unlock()
		}
		if stats != nil {
			stats.add(req, time.Since(start))
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				logger.Debug("relay failed", "error", err)
			}
			return
		}
	}
}

func roundTrip(backend, client net.Conn, req []byte) error {
	if _, err := backend.Write(req); err != nil {
		return err
	}
	for {
		reply, err := readMessage(backend)
		if err != nil {
			return err
		}
		if _, err := client.Write(reply); err != nil {
			return err
		}
		// OP_MSG flag bit 1 (moreToCome): the server sends further replies without a request.
		if opCode(reply) != opMsg || binary.LittleEndian.Uint32(reply[16:20])&2 == 0 {
			return nil
		}
	}
}

func readMessage(r io.Reader) ([]byte, error) {
	var header [4]byte
	if _, err := io.ReadFull(r, header[:]); err != nil {
		return nil, err
	}
	size := int(binary.LittleEndian.Uint32(header[:]))
	if size < 16 || size > 64<<20 {
		return nil, errors.New("bad message length")
	}
	msg := make([]byte, size)
	copy(msg, header[:])
	if _, err := io.ReadFull(r, msg[4:]); err != nil {
		return nil, err
	}
	return msg, nil
}

func opCode(msg []byte) uint32 { return binary.LittleEndian.Uint32(msg[12:16]) }

// isWrite reads the command name: the first element of the body (kind 0) section of an OP_MSG.
func isWrite(msg []byte) bool {
	// header(16) flags(4) kind(1) docLength(4) elementType(1) name(cstring)
	if opCode(msg) != opMsg || len(msg) < 27 || msg[20] != 0 {
		return false
	}
	name := msg[26:]
	for i, b := range name {
		if b == 0 {
			return writeCommands[string(name[:i])]
		}
	}
	return false
}
