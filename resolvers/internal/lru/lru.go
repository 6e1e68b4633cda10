// Package lru is a bounded map whose least recently used entry goes first,
// each entry kept until it expires: the lookup cache's and the platforms
// reader's store. It is not safe for concurrent use; its users lock.
package lru

import (
	"container/list"
	"time"
)

// Cache holds at most its size of entries.
type Cache[K comparable, V any] struct {
	size  int
	items map[K]*list.Element
	order list.List // of *entry[K, V], most recently used first
}

type entry[K comparable, V any] struct {
	key     K
	value   V
	expires time.Time
}

// New returns a Cache of at most size entries; with size < 1 it keeps
// nothing.
func New[K comparable, V any](size int) *Cache[K, V] {
	return &Cache[K, V]{size: size, items: map[K]*list.Element{}}
}

// Get returns the value under k unless it is missing or expired at now. An
// expired entry is dropped.
func (c *Cache[K, V]) Get(k K, now time.Time) (V, bool) {
	el, ok := c.items[k]
	if !ok {
		var zero V
		return zero, false
	}
	e := el.Value.(*entry[K, V])
	if !now.Before(e.expires) {
		c.order.Remove(el)
		delete(c.items, k)
		var zero V
		return zero, false
	}
	c.order.MoveToFront(el)
	return e.value, true
}

// Add keeps v under k until expires and returns how many entries were
// evicted to make room.
func (c *Cache[K, V]) Add(k K, v V, expires time.Time) (evicted int) {
	if c.size <= 0 {
		return 0
	}
	if el, ok := c.items[k]; ok {
		e := el.Value.(*entry[K, V])
		e.value, e.expires = v, expires
		c.order.MoveToFront(el)
		return 0
	}
	for c.order.Len() >= c.size {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.items, oldest.Value.(*entry[K, V]).key)
		evicted++
	}
	c.items[k] = c.order.PushFront(&entry[K, V]{key: k, value: v, expires: expires})
	return evicted
}
