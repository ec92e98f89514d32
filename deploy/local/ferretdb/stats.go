package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"
)

// commandStats counts the commands the proxy relays by their shape (-stats): the command
// name, its collection, and the keys of its filter, query and sort, e.g.
// `find complaints {received_at} sort {received_at}`. A profiling aid, off by default.
type commandStats struct {
	mu    sync.Mutex
	byKey map[string]*commandStat
}

type commandStat struct {
	count int
	total time.Duration
}

func newCommandStats() *commandStats {
	return &commandStats{byKey: map[string]*commandStat{}}
}

func (s *commandStats) add(msg []byte, took time.Duration) {
	key := commandShape(msg)
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.byKey[key]
	if st == nil {
		st = &commandStat{}
		s.byKey[key] = st
	}
	st.count++
	st.total += took
}

// report logs, every interval, the shapes seen since the last report, costliest first.
func (s *commandStats) report(ctx context.Context, every time.Duration, logger *slog.Logger) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		s.mu.Lock()
		seen := s.byKey
		s.byKey = map[string]*commandStat{}
		s.mu.Unlock()
		keys := make([]string, 0, len(seen))
		for k := range seen {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return seen[keys[i]].total > seen[keys[j]].total })
		for _, k := range keys {
			st := seen[k]
			logger.Warn("command stats", "shape", k, "count", st.count,
				"total_ms", st.total.Milliseconds(),
				"mean_ms", fmt.Sprintf("%.2f", float64(st.total.Microseconds())/1000/float64(st.count)))
		}
	}
}

// commandShape reads an OP_MSG body: the command name and collection (its first element) and
// the keys of the documents that say which documents it touches.
func commandShape(msg []byte) string {
	if opCode(msg) != opMsg || len(msg) < 26 || msg[20] != 0 {
		return "other"
	}
	doc := msg[21:]
	if len(doc) < 5 {
		return "other"
	}
	size := int(binary.LittleEndian.Uint32(doc))
	if size > len(doc) || size < 5 {
		return "other"
	}
	parts := []string{}
	first := true
	walk(doc[4:size-1], func(typ byte, name string, value []byte) {
		if first {
			first = false
			parts = append(parts, name)
			if typ == 2 && len(value) > 4 {
				parts = append(parts, string(value[4:len(value)-1]))
			}
			return
		}
		switch name {
		case "filter", "q", "query", "sort", "update", "u":
			if typ == 3 {
				parts = append(parts, name+" {"+strings.Join(keys(value), ",")+"}")
			}
		case "limit":
			parts = append(parts, "limit")
		}
	})
	// A kind-1 section (insert/update/delete statements): the shape of its first statement.
	if rest := doc[size:]; len(rest) > 5 && rest[0] == 1 {
		sec := rest[1:]
		end := 4
		for end < len(sec) && sec[end] != 0 {
			end++
		}
		if first := sec[min(end+1, len(sec)):]; len(first) > 4 {
			n := int(binary.LittleEndian.Uint32(first))
			if n <= len(first) && n >= 5 {
				walk(first[4:n-1], func(typ byte, name string, value []byte) {
					if (name == "q" || name == "u") && typ == 3 {
						parts = append(parts, name+" {"+strings.Join(keys(value), ",")+"}")
					}
				})
			}
		}
	}
	return strings.Join(parts, " ")
}

func keys(doc []byte) []string {
	if len(doc) < 5 {
		return nil
	}
	out := []string{}
	walk(doc[4:len(doc)-1], func(typ byte, name string, value []byte) {
		if typ == 3 && strings.HasPrefix(name, "$") {
			out = append(out, name+"{"+strings.Join(keys(value), ",")+"}")
			return
		}
		out = append(out, name)
	})
	return out
}

// walk calls fn with each element of a BSON document's element list; it stops at anything it
// does not know how to skip.
func walk(b []byte, fn func(typ byte, name string, value []byte)) {
	for len(b) > 1 {
		typ := b[0]
		end := 1
		for end < len(b) && b[end] != 0 {
			end++
		}
		if end >= len(b) {
			return
		}
		name := string(b[1:end])
		rest := b[end+1:]
		n := valueSize(typ, rest)
		if n < 0 || n > len(rest) {
			return
		}
		fn(typ, name, rest[:n])
		b = rest[n:]
	}
}

func valueSize(typ byte, b []byte) int {
	switch typ {
	case 1, 9, 17, 18: // double, datetime, timestamp, int64
		return 8
	case 16: // int32
		return 4
	case 8: // bool
		return 1
	case 10: // null
		return 0
	case 7: // ObjectId
		return 12
	case 19: // decimal128
		return 16
	case 2: // string
		if len(b) < 4 {
			return -1
		}
		return 4 + int(binary.LittleEndian.Uint32(b))
	case 3, 4: // document, array
		if len(b) < 4 {
			return -1
		}
		return int(binary.LittleEndian.Uint32(b))
	case 5: // binary
		if len(b) < 4 {
			return -1
		}
		return 5 + int(binary.LittleEndian.Uint32(b))
	}
	return -1
}
