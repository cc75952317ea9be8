// tlogbench times Go's reference transparency-log code
// (golang.org/x/mod/sumdb/tlog) on the same workloads as Accord's log
// benchmark (crates/bench/src/log.rs): building the stored hashes of a tree
// of n entries "entry <i>", then inclusion and consistency proofs at size n
// for indexes drawn by a seeded generator. Prints one JSON object.
//
// Build: build.sh OUTPUT tlogbench.go (GOPATH mode, like tlogref).
package main

import (
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

func main() {
	n := flag.Int64("n", 1000000, "tree size")
	proofs := flag.Int("proofs", 100000, "proofs of each kind")
	flag.Parse()
	if *n < 2 {
		fmt.Fprintln(os.Stderr, "tlogbench: -n must be at least 2")
		os.Exit(2)
	}
	hashes := make([]tlog.Hash, 0, 2*(*n))
	reader := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, x := range indexes {
			out[i] = hashes[x]
		}
		return out, nil
	})
	start := time.Now()
	for i := int64(0); i < *n; i++ {
		h, err := tlog.StoredHashes(i, []byte(fmt.Sprintf("entry %d", i)), reader)
		if err != nil {
			panic(err)
		}
		hashes = append(hashes, h...)
	}
	build := time.Since(start).Seconds()
	root, err := tlog.TreeHash(*n, reader)
	if err != nil {
		panic(err)
	}
	rng := rand.New(rand.NewSource(1))
	start = time.Now()
	for k := 0; k < *proofs; k++ {
		if _, err := tlog.ProveRecord(*n, rng.Int63n(*n), reader); err != nil {
			panic(err)
		}
	}
	inclusion := time.Since(start).Seconds()
	start = time.Now()
	for k := 0; k < *proofs; k++ {
		if _, err := tlog.ProveTree(*n, 1+rng.Int63n(*n-1), reader); err != nil {
			panic(err)
		}
	}
	consistency := time.Since(start).Seconds()
	json.NewEncoder(os.Stdout).Encode(map[string]interface{}{
		"n":                   *n,
		"proofs":              *proofs,
		"root":                hex.EncodeToString(root[:]),
		"build_seconds":       build,
		"inclusion_seconds":   inclusion,
		"consistency_seconds": consistency,
	})
}
