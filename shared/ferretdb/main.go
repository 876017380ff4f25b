// Command ferretdb-embedded runs FerretDB v1 (SQLite backend) on a loopback port for Cadence's
// embedded and test database. It embeds the public ferretdb package because the released
// cmd/ferretdb binary, built with `go install`, panics at start-up (its generated version file is
// not part of the module).
//
// It prints the MongoDB URI on the first line of stdout once it listens, and exits when it gets
// SIGTERM/SIGINT or when stdin closes, so it never outlives the Node.js process that started it.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listenAddr := flag.String("listen-addr", "127.0.0.1:0", "TCP address to listen on (port 0: any free port)")
	sqliteURL := flag.String("sqlite-url", "", "SQLite directory URL, e.g. file:/tmp/data/ (must exist, must end with /)")
	logLevel := flag.String("log-level", "error", "debug, info, warn or error")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintln(os.Stderr, "bad -log-level:", err)
		os.Exit(2)
	}
	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	// The embedded package disables telemetry itself; there is nothing to report to.
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listenAddr},
		Handler:   "sqlite",
		SQLiteURL: *sqliteURL,
		Logger:    logger,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb:", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		// stdin closes when the parent dies, even by SIGKILL
		_, _ = io.Copy(io.Discard, os.Stdin)
		cancel()
	}()

	done := make(chan struct{})
	go func() {
		_ = f.Run(ctx)
		close(done)
	}()

	// MongoDBURI waits until the listener is ready, so the URI line means "accepting connections".
	fmt.Println(f.MongoDBURI())
	<-done
}
