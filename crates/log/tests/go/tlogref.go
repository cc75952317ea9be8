// tlogref is a differential-testing oracle for Accord's transparency log.
//
// It wraps Go's reference implementation (golang.org/x/mod/sumdb/tlog and
// golang.org/x/mod/sumdb/note) behind a line-oriented JSON protocol:
// one JSON request object per line on stdin, one JSON response object per
// line on stdout (flushed after every line). Binary values are hex
// (lowercase on output, either case accepted on input). Errors are reported
// as {"error":"..."}; the process never exits because of a bad request.
//
// Only the standard library and x/mod are used so that the program builds
// with Debian's golang-go (1.19) and golang-golang-x-mod-dev (0.7.0) in
// GOPATH mode (GO111MODULE=off). See README.md for the protocol.
package main

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// request is the union of all request fields. Pointers distinguish
// "absent" from zero where that matters.
type request struct {
	Op string `json:"op"`

	// Tree construction.
	Leaves     []string `json:"leaves"`      // raw leaf data (hex); leaf hash = SHA-256(0x00 || data)
	LeafHashes []string `json:"leaf_hashes"` // alternative: precomputed leaf hashes (hex)

	Index *int64 `json:"index"`
	Size  *int64 `json:"size"`
	Old   *int64 `json:"old"`

	Root     string   `json:"root"`
	OldRoot  string   `json:"old_root"`
	LeafHash string   `json:"leaf_hash"`
	Proof    []string `json:"proof"`

	// Hash helpers.
	Data  string `json:"data"`
	Left  string `json:"left"`
	Right string `json:"right"`
	Level *int   `json:"level"`
	N     *int64 `json:"n"`

	// Tiles.
	Height *int   `json:"height"`
	W      *int   `json:"w"`
	Path   string `json:"path"`

	// Notes.
	Name   string   `json:"name"`
	Seed   string   `json:"seed"`
	Pub    string   `json:"pub"`
	Skey   string   `json:"skey"`
	Skeys  []string `json:"skeys"`
	Vkeys  []string `json:"vkeys"`
	Text   *string  `json:"text"`
	Note   *string  `json:"note"`
	Origin string   `json:"origin"`
}

type response map[string]interface{}

func main() {
	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	out := bufio.NewWriter(os.Stdout)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	for {
		line, err := in.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			resp := handleLine(line)
			if encErr := enc.Encode(resp); encErr != nil {
				// Should not happen; fall back to a fixed error line.
				fmt.Fprintf(out, "{\"error\":%q}\n", "encode response: "+encErr.Error())
			}
			out.Flush()
		}
		if err == io.EOF {
			return
		}
		if err != nil {
			enc.Encode(response{"error": "read stdin: " + err.Error()})
			out.Flush()
			return
		}
	}
}

func handleLine(line []byte) (resp response) {
	defer func() {
		if r := recover(); r != nil {
			resp = response{"error": fmt.Sprintf("panic: %v", r)}
		}
	}()
	var req request
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return response{"error": "bad request: " + err.Error()}
	}
	resp, err := dispatch(&req)
	if err != nil {
		return response{"error": err.Error()}
	}
	return resp
}

func dispatch(req *request) (response, error) {
	switch req.Op {
	// --- Merkle tree (RFC 6962) ---
	case "tree":
		return opTree(req)
	case "inclusion":
		return opInclusion(req)
	case "consistency":
		return opConsistency(req)
	case "verify_inclusion":
		return opVerifyInclusion(req)
	case "verify_consistency":
		return opVerifyConsistency(req)
	case "record_hash":
		return opRecordHash(req)
	case "node_hash":
		return opNodeHash(req)
	case "stored_hashes":
		return opStoredHashes(req)
	case "stored_hash_index":
		return opStoredHashIndex(req)
	case "split_stored_hash_index":
		return opSplitStoredHashIndex(req)
	case "stored_hash_count":
		return opStoredHashCount(req)

	// --- Tiles ---
	case "tile_path":
		return opTilePath(req)
	case "parse_tile_path":
		return opParseTilePath(req)
	case "tile_for_index":
		return opTileForIndex(req)
	case "new_tiles":
		return opNewTiles(req)
	case "read_tile_data":
		return opReadTileData(req)

	// --- Checkpoints / tree notes ---
	case "format_checkpoint":
		return opFormatCheckpoint(req)
	case "parse_tree":
		return opParseTree(req)

	// --- Signed notes ---
	case "gen_key":
		return opGenKey(req)
	case "vkey_from_pub":
		return opVkeyFromPub(req)
	case "sign":
		return opSign(req)
	case "open":
		return opOpen(req)

	case "":
		return nil, errors.New("missing op")
	default:
		return nil, fmt.Errorf("unknown op %q", req.Op)
	}
}

// ---------------------------------------------------------------------------
// Helpers

func decodeHex(field, s string) ([]byte, error) {
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("field %s: bad hex: %v", field, err)
	}
	return b, nil
}

func decodeHash(field, s string) (tlog.Hash, error) {
	var h tlog.Hash
	b, err := decodeHex(field, s)
	if err != nil {
		return h, err
	}
	if len(b) != tlog.HashSize {
		return h, fmt.Errorf("field %s: hash must be %d bytes, got %d", field, tlog.HashSize, len(b))
	}
	copy(h[:], b)
	return h, nil
}

func decodeHashes(field string, list []string) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, 0, len(list))
	for i, s := range list {
		h, err := decodeHash(fmt.Sprintf("%s[%d]", field, i), s)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}

func hexHash(h tlog.Hash) string { return hex.EncodeToString(h[:]) }

func hexHashes(hs []tlog.Hash) []string {
	out := make([]string, 0, len(hs))
	for _, h := range hs {
		out = append(out, hexHash(h))
	}
	return out
}

func needInt64(field string, p *int64) (int64, error) {
	if p == nil {
		return 0, fmt.Errorf("missing field %s", field)
	}
	return *p, nil
}

func needInt(field string, p *int) (int, error) {
	if p == nil {
		return 0, fmt.Errorf("missing field %s", field)
	}
	return *p, nil
}

// memStore is an in-memory tlog.HashReader holding hashes in tlog's
// StoredHashIndex layout, filled exactly as a tlog server would:
// for record n, append tlog.StoredHashesForRecordHash(n, h, store)
// at index tlog.StoredHashIndex(0, n) == len(store.hashes).
type memStore struct {
	hashes []tlog.Hash
}

func (s *memStore) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(s.hashes)) {
			return nil, fmt.Errorf("memStore: hash index %d not stored (have %d)", x, len(s.hashes))
		}
		out[i] = s.hashes[x]
	}
	return out, nil
}

// buildStore builds the stored-hash array for the request's leaves.
func buildStore(req *request) (*memStore, int64, error) {
	if req.Leaves != nil && req.LeafHashes != nil {
		return nil, 0, errors.New("give either leaves or leaf_hashes, not both")
	}
	var recordHashes []tlog.Hash
	if req.LeafHashes != nil {
		hs, err := decodeHashes("leaf_hashes", req.LeafHashes)
		if err != nil {
			return nil, 0, err
		}
		recordHashes = hs
	} else {
		recordHashes = make([]tlog.Hash, 0, len(req.Leaves))
		for i, s := range req.Leaves {
			b, err := decodeHex(fmt.Sprintf("leaves[%d]", i), s)
			if err != nil {
				return nil, 0, err
			}
			recordHashes = append(recordHashes, tlog.RecordHash(b))
		}
	}
	st := &memStore{}
	for n, h := range recordHashes {
		if want := tlog.StoredHashIndex(0, int64(n)); want != int64(len(st.hashes)) {
			return nil, 0, fmt.Errorf("internal: StoredHashIndex(0,%d)=%d but store has %d", n, want, len(st.hashes))
		}
		add, err := tlog.StoredHashesForRecordHash(int64(n), h, st)
		if err != nil {
			return nil, 0, err
		}
		st.hashes = append(st.hashes, add...)
	}
	return st, int64(len(recordHashes)), nil
}

// sizeOrAll returns req.Size if given, else the number of leaves.
func sizeOrAll(req *request, total int64) (int64, error) {
	if req.Size == nil {
		return total, nil
	}
	if *req.Size < 0 || *req.Size > total {
		return 0, fmt.Errorf("size %d out of range [0,%d]", *req.Size, total)
	}
	return *req.Size, nil
}

func okResp(err error) response {
	if err != nil {
		return response{"ok": false, "error": err.Error()}
	}
	return response{"ok": true}
}

// ---------------------------------------------------------------------------
// Merkle tree ops

func opTree(req *request) (response, error) {
	st, total, err := buildStore(req)
	if err != nil {
		return nil, err
	}
	n, err := sizeOrAll(req, total)
	if err != nil {
		return nil, err
	}
	root, err := tlog.TreeHash(n, st)
	if err != nil {
		return nil, err
	}
	// NOTE: tlog.TreeHash defines the size-0 tree hash as 32 zero bytes,
	// whereas RFC 6962 defines MTH({}) = SHA-256(""). "root" is exactly what
	// tlog returns; "rfc6962_root" applies the RFC definition for n == 0.
	rfc := root
	if n == 0 {
		rfc = sha256.Sum256(nil)
	}
	return response{"root": hexHash(root), "rfc6962_root": hexHash(rfc), "size": n}, nil
}

func opInclusion(req *request) (response, error) {
	st, total, err := buildStore(req)
	if err != nil {
		return nil, err
	}
	n, err := sizeOrAll(req, total)
	if err != nil {
		return nil, err
	}
	idx, err := needInt64("index", req.Index)
	if err != nil {
		return nil, err
	}
	p, err := tlog.ProveRecord(n, idx, st)
	if err != nil {
		return nil, err
	}
	return response{"proof": hexHashes(p)}, nil
}

func opConsistency(req *request) (response, error) {
	st, total, err := buildStore(req)
	if err != nil {
		return nil, err
	}
	n, err := sizeOrAll(req, total)
	if err != nil {
		return nil, err
	}
	old, err := needInt64("old", req.Old)
	if err != nil {
		return nil, err
	}
	p, err := tlog.ProveTree(n, old, st)
	if err != nil {
		return nil, err
	}
	return response{"proof": hexHashes(p)}, nil
}

func opVerifyInclusion(req *request) (response, error) {
	n, err := needInt64("size", req.Size)
	if err != nil {
		return nil, err
	}
	idx, err := needInt64("index", req.Index)
	if err != nil {
		return nil, err
	}
	root, err := decodeHash("root", req.Root)
	if err != nil {
		return nil, err
	}
	leaf, err := decodeHash("leaf_hash", req.LeafHash)
	if err != nil {
		return nil, err
	}
	proof, err := decodeHashes("proof", req.Proof)
	if err != nil {
		return nil, err
	}
	return okResp(tlog.CheckRecord(tlog.RecordProof(proof), n, root, idx, leaf)), nil
}

func opVerifyConsistency(req *request) (response, error) {
	n, err := needInt64("size", req.Size)
	if err != nil {
		return nil, err
	}
	old, err := needInt64("old", req.Old)
	if err != nil {
		return nil, err
	}
	root, err := decodeHash("root", req.Root)
	if err != nil {
		return nil, err
	}
	oldRoot, err := decodeHash("old_root", req.OldRoot)
	if err != nil {
		return nil, err
	}
	proof, err := decodeHashes("proof", req.Proof)
	if err != nil {
		return nil, err
	}
	return okResp(tlog.CheckTree(tlog.TreeProof(proof), n, root, old, oldRoot)), nil
}

func opRecordHash(req *request) (response, error) {
	b, err := decodeHex("data", req.Data)
	if err != nil {
		return nil, err
	}
	return response{"hash": hexHash(tlog.RecordHash(b))}, nil
}

func opNodeHash(req *request) (response, error) {
	l, err := decodeHash("left", req.Left)
	if err != nil {
		return nil, err
	}
	r, err := decodeHash("right", req.Right)
	if err != nil {
		return nil, err
	}
	return response{"hash": hexHash(tlog.NodeHash(l, r))}, nil
}

func opStoredHashes(req *request) (response, error) {
	st, _, err := buildStore(req)
	if err != nil {
		return nil, err
	}
	return response{"hashes": hexHashes(st.hashes)}, nil
}

func opStoredHashIndex(req *request) (response, error) {
	level, err := needInt("level", req.Level)
	if err != nil {
		return nil, err
	}
	n, err := needInt64("n", req.N)
	if err != nil {
		return nil, err
	}
	return response{"index": tlog.StoredHashIndex(level, n)}, nil
}

func opSplitStoredHashIndex(req *request) (response, error) {
	idx, err := needInt64("index", req.Index)
	if err != nil {
		return nil, err
	}
	level, n := tlog.SplitStoredHashIndex(idx)
	return response{"level": level, "n": n}, nil
}

func opStoredHashCount(req *request) (response, error) {
	n, err := needInt64("n", req.N)
	if err != nil {
		return nil, err
	}
	return response{"count": tlog.StoredHashCount(n)}, nil
}

// ---------------------------------------------------------------------------
// Tile ops

func tileResp(t tlog.Tile) response {
	return response{"height": t.H, "level": t.L, "n": t.N, "w": t.W, "path": t.Path()}
}

func opTilePath(req *request) (response, error) {
	h, err := needInt("height", req.Height)
	if err != nil {
		return nil, err
	}
	l, err := needInt("level", req.Level)
	if err != nil {
		return nil, err
	}
	n, err := needInt64("n", req.N)
	if err != nil {
		return nil, err
	}
	w, err := needInt("w", req.W)
	if err != nil {
		return nil, err
	}
	return response{"path": tlog.Tile{H: h, L: l, N: n, W: w}.Path()}, nil
}

func opParseTilePath(req *request) (response, error) {
	t, err := tlog.ParseTilePath(req.Path)
	if err != nil {
		return nil, err
	}
	return tileResp(t), nil
}

func opTileForIndex(req *request) (response, error) {
	h, err := needInt("height", req.Height)
	if err != nil {
		return nil, err
	}
	idx, err := needInt64("index", req.Index)
	if err != nil {
		return nil, err
	}
	if h <= 0 {
		return nil, fmt.Errorf("height must be >= 1")
	}
	return tileResp(tlog.TileForIndex(h, idx)), nil
}

func opNewTiles(req *request) (response, error) {
	h, err := needInt("height", req.Height)
	if err != nil {
		return nil, err
	}
	old, err := needInt64("old", req.Old)
	if err != nil {
		return nil, err
	}
	n, err := needInt64("size", req.Size)
	if err != nil {
		return nil, err
	}
	if h <= 0 {
		return nil, fmt.Errorf("height must be >= 1")
	}
	tiles := tlog.NewTiles(h, old, n)
	out := make([]response, 0, len(tiles))
	for _, t := range tiles {
		out = append(out, tileResp(t))
	}
	return response{"tiles": out}, nil
}

// read_tile_data: hash tile contents (concatenated 32-byte hashes) for a
// tile of the tree built from the leaves. Data tiles (level -1) are not
// supported: their format is application-defined (Go sumdb vs C2SP differ).
func opReadTileData(req *request) (response, error) {
	st, _, err := buildStore(req)
	if err != nil {
		return nil, err
	}
	var t tlog.Tile
	if req.Path != "" {
		t, err = tlog.ParseTilePath(req.Path)
		if err != nil {
			return nil, err
		}
	} else {
		if t.H, err = needInt("height", req.Height); err != nil {
			return nil, err
		}
		if t.L, err = needInt("level", req.Level); err != nil {
			return nil, err
		}
		if t.N, err = needInt64("n", req.N); err != nil {
			return nil, err
		}
		if t.W, err = needInt("w", req.W); err != nil {
			return nil, err
		}
	}
	if t.L < 0 {
		return nil, errors.New("data tiles (level -1) not supported")
	}
	if t.H < 1 || t.H > 30 || t.W < 1 || t.W > 1<<uint(t.H) {
		return nil, fmt.Errorf("invalid tile %+v", t)
	}
	data, err := tlog.ReadTileData(t, st)
	if err != nil {
		return nil, err
	}
	return response{"data": hex.EncodeToString(data), "path": t.Path()}, nil
}

// ---------------------------------------------------------------------------
// Checkpoint / tree note ops

// format_checkpoint: x/mod 0.7.0 has no C2SP checkpoint support. The only
// formatter is tlog.FormatTree, producing the Go sumdb body
// "go.sum database tree\nN\nbase64(hash)\n". We return that verbatim in
// "go_sumdb_text", and in "text" the C2SP tlog-checkpoint body
// "origin\nN\nbase64(hash)\n" assembled here from tlog.Hash.String()
// (std base64, padded) — i.e. not a library function.
func opFormatCheckpoint(req *request) (response, error) {
	n, err := needInt64("size", req.Size)
	if err != nil {
		return nil, err
	}
	root, err := decodeHash("root", req.Root)
	if err != nil {
		return nil, err
	}
	goText := string(tlog.FormatTree(tlog.Tree{N: n, Hash: root}))
	resp := response{"go_sumdb_text": goText}
	if req.Origin != "" {
		resp["text"] = fmt.Sprintf("%s\n%d\n%s\n", req.Origin, n, tlog.Hash(root).String())
	}
	return resp, nil
}

// parse_tree: tlog.ParseTree on a Go sumdb tree body.
func opParseTree(req *request) (response, error) {
	if req.Text == nil {
		return nil, errors.New("missing field text")
	}
	t, err := tlog.ParseTree([]byte(*req.Text))
	if err != nil {
		return nil, err
	}
	return response{"size": t.N, "root": hexHash(t.Hash)}, nil
}

// ---------------------------------------------------------------------------
// Note ops

// gen_key: note.GenerateKey with an io.Reader that yields exactly the 32-byte
// seed; ed25519.GenerateKey reads exactly 32 bytes and uses them as the seed,
// so the result is deterministic. Without "seed", crypto/rand is used.
func opGenKey(req *request) (response, error) {
	var r io.Reader = rand.Reader
	if req.Seed != "" {
		seed, err := decodeHex("seed", req.Seed)
		if err != nil {
			return nil, err
		}
		if len(seed) != ed25519.SeedSize {
			return nil, fmt.Errorf("seed must be %d bytes, got %d", ed25519.SeedSize, len(seed))
		}
		r = bytes.NewReader(seed)
	}
	skey, vkey, err := note.GenerateKey(r, req.Name)
	if err != nil {
		return nil, err
	}
	// GenerateKey does not validate the name; report what NewSigner thinks.
	resp := response{"skey": skey, "vkey": vkey}
	if _, err := note.NewSigner(skey); err != nil {
		resp["signer_error"] = err.Error()
	}
	if _, err := note.NewVerifier(vkey); err != nil {
		resp["verifier_error"] = err.Error()
	}
	return resp, nil
}

func opVkeyFromPub(req *request) (response, error) {
	pub, err := decodeHex("pub", req.Pub)
	if err != nil {
		return nil, err
	}
	vkey, err := note.NewEd25519VerifierKey(req.Name, ed25519.PublicKey(pub))
	if err != nil {
		return nil, err
	}
	return response{"vkey": vkey}, nil
}

func opSign(req *request) (response, error) {
	if req.Text == nil {
		return nil, errors.New("missing field text")
	}
	keys := append([]string(nil), req.Skeys...)
	if req.Skey != "" {
		keys = append([]string{req.Skey}, keys...)
	}
	signers := make([]note.Signer, 0, len(keys))
	for i, k := range keys {
		s, err := note.NewSigner(k)
		if err != nil {
			return nil, fmt.Errorf("signer %d: %v", i, err)
		}
		signers = append(signers, s)
	}
	msg, err := note.Sign(&note.Note{Text: *req.Text}, signers...)
	if err != nil {
		return nil, err
	}
	return response{"note": string(msg)}, nil
}

func sigList(sigs []note.Signature) []response {
	out := make([]response, 0, len(sigs))
	for _, s := range sigs {
		out = append(out, response{"name": s.Name, "hash": fmt.Sprintf("%08x", s.Hash), "base64": s.Base64})
	}
	return out
}

func sigNames(sigs []note.Signature) []string {
	out := make([]string, 0, len(sigs))
	for _, s := range sigs {
		out = append(out, s.Name)
	}
	return out
}

// open: note.Open with note.VerifierList(vkeys...). Parse failures of a
// vkey are request errors ({"error":...}); failures of Open itself are
// {"ok":false,"error":...,"error_kind":...}.
func opOpen(req *request) (response, error) {
	if req.Note == nil {
		return nil, errors.New("missing field note")
	}
	vs := make([]note.Verifier, 0, len(req.Vkeys))
	for i, k := range req.Vkeys {
		v, err := note.NewVerifier(k)
		if err != nil {
			return nil, fmt.Errorf("vkey %d: %v", i, err)
		}
		vs = append(vs, v)
	}
	n, err := note.Open([]byte(*req.Note), note.VerifierList(vs...))
	if err != nil {
		resp := response{"ok": false, "error": err.Error(), "error_kind": errorKind(err)}
		var une *note.UnverifiedNoteError
		if errors.As(err, &une) && une.Note != nil {
			resp["text"] = une.Note.Text
			resp["unverified"] = sigNames(une.Note.UnverifiedSigs)
			resp["unverified_sigs"] = sigList(une.Note.UnverifiedSigs)
		}
		return resp, nil
	}
	return response{
		"ok":              true,
		"text":            n.Text,
		"verified":        sigNames(n.Sigs),
		"sigs":            sigList(n.Sigs),
		"unverified":      sigNames(n.UnverifiedSigs),
		"unverified_sigs": sigList(n.UnverifiedSigs),
	}, nil
}

func errorKind(err error) string {
	var une *note.UnverifiedNoteError
	var ise *note.InvalidSignatureError
	var uve *note.UnknownVerifierError
	switch {
	case errors.As(err, &une):
		return "unverified"
	case errors.As(err, &ise):
		return "invalid_signature"
	case errors.As(err, &uve):
		return "unknown_verifier"
	}
	switch err.Error() {
	case "malformed note":
		return "malformed"
	case "verifier name or hash doesn't match signature":
		return "mismatched_verifier"
	}
	if strings.HasPrefix(err.Error(), "ambiguous key") {
		return "ambiguous"
	}
	return "other"
}
