package lru_test

import (
	"testing"
	"time"

	"github.com/admissible/admissible/resolvers/internal/lru"
)

func TestCache(t *testing.T) {
	t0 := time.Unix(0, 0)
	later := t0.Add(time.Minute)
	c := lru.New[string, int](2)
	c.Add("a", 1, later)
	c.Add("b", 2, later)
	if _, ok := c.Get("a", t0); !ok { // a is now the most recently used
		t.Fatal("a missing")
	}
	if n := c.Add("c", 3, later); n != 1 {
		t.Errorf("adding a third entry evicted %d, want 1", n)
	}
	if _, ok := c.Get("b", t0); ok {
		t.Error("b, the least recently used, was kept")
	}
	if v, ok := c.Get("a", t0); !ok || v != 1 {
		t.Errorf("a = %d, %v; want 1, kept", v, ok)
	}
	if n := c.Add("a", 10, later); n != 0 {
		t.Errorf("replacing a evicted %d", n)
	}
	if v, _ := c.Get("a", t0); v != 10 {
		t.Errorf("a = %d after replacing it, want 10", v)
	}
	if _, ok := c.Get("c", later); ok {
		t.Error("c kept at its expiry")
	}
	none := lru.New[string, int](0)
	if n := none.Add("a", 1, later); n != 0 {
		t.Errorf("a cache of size 0 evicted %d", n)
	}
	if _, ok := none.Get("a", t0); ok {
		t.Error("a cache of size 0 kept an entry")
	}
}
