package cache

import (
	"container/list"
	"time"

	"github.com/admissible/admissible/resolvers"
)

// key identifies an entry: a fully qualified reference within a scope.
type key struct {
	scope string
	ref   string
	// written is the reference as written: a short name and its docker.io
	// completion are resolved apart by CRI-O's walk.
	written string
}

// entry is one cached result.
type entry struct {
	key     key
	result  resolvers.Result
	expires time.Time
}

// lru is a bounded map whose least recently used entry goes first. It is not
// safe for concurrent use.
type lru struct {
	size  int
	items map[key]*list.Element
	order list.List // of *entry, most recently used first
}

func newLRU(size int) *lru {
	return &lru{size: size, items: map[key]*list.Element{}}
}

// get returns the result under k unless it is missing or expired at now. An
// expired entry is dropped.
func (l *lru) get(k key, now time.Time) (resolvers.Result, bool) {
	el, ok := l.items[k]
	if !ok {
		return resolvers.Result{}, false
	}
	e := el.Value.(*entry)
	if !now.Before(e.expires) {
		l.order.Remove(el)
		delete(l.items, k)
		return resolvers.Result{}, false
	}
	l.order.MoveToFront(el)
	return e.result, true
}

// add stores r under k until expires and returns how many entries were
// evicted to make room.
func (l *lru) add(k key, r resolvers.Result, expires time.Time) (evicted int) {
	if l.size <= 0 {
		return 0
	}
	if el, ok := l.items[k]; ok {
		e := el.Value.(*entry)
		e.result, e.expires = r, expires
		l.order.MoveToFront(el)
		return 0
	}
	for l.order.Len() >= l.size {
		oldest := l.order.Back()
		l.order.Remove(oldest)
		delete(l.items, oldest.Value.(*entry).key)
		evicted++
	}
	l.items[k] = l.order.PushFront(&entry{key: k, result: r, expires: expires})
	return evicted
}
