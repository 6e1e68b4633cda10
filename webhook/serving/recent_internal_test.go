package serving

import (
	"crypto/sha256"
	"testing"
	"time"
)

// TestRecentBounded: the table never holds more than its bound; expired
// entries are not given again and make room once a period.
func TestRecentBounded(t *testing.T) {
	now := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	r := newRecent(2 * time.Second)
	r.max, r.now = 3, func() time.Time { return now }
	key := func(i byte) [sha256.Size]byte { return [sha256.Size]byte{i} }
	for i := range byte(5) {
		r.put(key(i), []string{"w"})
	}
	if len(r.entries) != 3 {
		t.Fatalf("%d entries, want the bound, 3", len(r.entries))
	}
	if _, ok := r.get(key(4)); ok {
		t.Errorf("an answer put while full was remembered")
	}
	if w, ok := r.get(key(0)); !ok || len(w) != 1 {
		t.Errorf("get(0) = %q, %v; want remembered", w, ok)
	}
	now = now.Add(3 * time.Second)
	if _, ok := r.get(key(0)); ok {
		t.Errorf("an answer older than the period was given again")
	}
	r.put(key(9), nil)
	if _, ok := r.get(key(9)); !ok || len(r.entries) != 1 {
		t.Errorf("after the period: %d entries, key 9 remembered %v; want the expired dropped and 9 kept", len(r.entries), ok)
	}
}
