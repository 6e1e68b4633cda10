package serving

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"sort"
	"strings"
	"sync"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

// recent remembers, for a short time, the admissions it allowed, keyed by
// everything that decides a verdict: operation, kind, namespace and its
// labels, user, dry run, and the object (and the object an UPDATE replaces)
// without the fields the API server sets on every write (uid,
// resourceVersion, generation, creationTimestamp, managedFields, status),
// and without the random suffix of a generated name. The same Deployment
// applied again, or the pods of one ReplicaSet, are judged once per period;
// each one is still answered and counted.
//
// A refusal is never remembered: the object that fixes it (a PriorityClass,
// a pushed tag) must be seen at once. What an allowed verdict depends on
// besides the request (cluster objects, registries) is at most the period
// old, as the informers and lookup cache it reads are.
type recent struct {
	period time.Duration
	max    int
	now    func() time.Time

	mu      sync.Mutex
	entries map[[sha256.Size]byte]remembered
	// swept is when expired entries were last dropped.
	swept time.Time
}

// remembered is an allowed admission's answer.
type remembered struct {
	// warnings are the answer's warnings, as sent.
	warnings []string
	until    time.Time
}

// recentEntries bounds the admissions remembered: with a period of a few
// seconds, at most a few thousand distinct objects arrive in it.
const recentEntries = 4096

func newRecent(period time.Duration) *recent {
	return &recent{period: period, max: recentEntries, now: time.Now, entries: map[[sha256.Size]byte]remembered{}}
}

// get returns the warnings of the allowed answer remembered for key.
func (r *recent) get(key [sha256.Size]byte) ([]string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.entries[key]
	if !ok || r.now().After(e.until) {
		return nil, false
	}
	return e.warnings, true
}

// put remembers an allowed answer. When full, expired entries are dropped,
// at most once a period (a full table is not walked on every admission);
// while it is still full, the answer is not remembered.
func (r *recent) put(key [sha256.Size]byte, warnings []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	if len(r.entries) >= r.max {
		if now.Sub(r.swept) < r.period {
			return
		}
		r.swept = now
		for k, e := range r.entries {
			if now.After(e.until) {
				delete(r.entries, k)
			}
		}
		if len(r.entries) >= r.max {
			return
		}
	}
	r.entries[key] = remembered{warnings: warnings, until: now.Add(r.period)}
}

// volatileMetadata are the metadata fields the API server sets on every
// write; they decide no verdict.
var volatileMetadata = []string{"uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink"}

// key is what decides req's verdict, hashed; false when an object is not a
// JSON object (it is then judged, and refused, in full).
func (r *recent) key(req admission.Request, namespaceLabels map[string]string) ([sha256.Size]byte, bool) {
	h := sha256.New()
	field := func(s string) {
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	field(string(req.Operation))
	field(req.SubResource)
	field(req.Kind.String())
	field(req.Namespace)
	field(req.UserInfo.Username)
	if req.DryRun != nil && *req.DryRun {
		field("dry-run")
	} else {
		field("")
	}
	labels := make([]string, 0, len(namespaceLabels))
	for k, v := range namespaceLabels {
		labels = append(labels, k+"="+v)
	}
	sort.Strings(labels)
	field(strings.Join(labels, "\x00"))
	var sum [sha256.Size]byte
	if !writeObject(field, req.Object.Raw) || !writeObject(field, req.OldObject.Raw) {
		return sum, false
	}
	copy(sum[:], h.Sum(nil))
	return sum, true
}

// writeObject hashes an object's fields in key order, leaving out status and
// the volatile metadata. An empty raw (no old object) is an empty object.
func writeObject(field func(string), raw []byte) bool {
	if len(raw) == 0 {
		field("{}")
		return true
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return false
	}
	delete(top, "status")
	var meta map[string]json.RawMessage
	if m, ok := top["metadata"]; ok {
		if err := json.Unmarshal(m, &meta); err != nil {
			return false
		}
		delete(top, "metadata")
	}
	for _, k := range volatileMetadata {
		delete(meta, k)
	}
	if generatedName(meta) {
		delete(meta, "name")
	}
	writeFields(field, meta)
	writeFields(field, top)
	return true
}

// writeFields hashes m's keys and values in key order.
func writeFields(field func(string), m map[string]json.RawMessage) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	field("{")
	for _, k := range keys {
		field(k)
		field(string(m[k]))
	}
	field("}")
}

// maxGeneratedPrefix is how much of generateName the API server keeps
// before the 5 random characters it adds.
const maxGeneratedPrefix = 63 - 5

// generatedName reports whether metadata's name is its generateName and
// the 5 random lowercase letters and digits the API server adds: such a
// name is valid exactly when the prefix is, so it decides nothing the
// generateName does not.
func generatedName(meta map[string]json.RawMessage) bool {
	var name, prefix string
	if json.Unmarshal(meta["name"], &name) != nil || json.Unmarshal(meta["generateName"], &prefix) != nil || prefix == "" {
		return false
	}
	if len(prefix) > maxGeneratedPrefix {
		prefix = prefix[:maxGeneratedPrefix]
	}
	suffix, ok := strings.CutPrefix(name, prefix)
	if !ok || len(suffix) != 5 {
		return false
	}
	for _, c := range suffix {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}
