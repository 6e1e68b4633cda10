package platforms

import (
	"container/list"
	"time"
)

// entry is one kept answer: what a read brought back, or its error.
type entry struct {
	key     string
	served  Served
	err     error
	expires time.Time
}

// lru is a bounded map whose least recently used entry goes first. It is not
// safe for concurrent use.
type lru struct {
	size  int
	items map[string]*list.Element
	order list.List // of *entry, most recently used first
}

func newLRU(size int) *lru { return &lru{size: size, items: map[string]*list.Element{}} }

// get returns the entry under key unless it is missing or expired at now.
func (l *lru) get(key string, now time.Time) (*entry, bool) {
	el, ok := l.items[key]
	if !ok {
		return nil, false
	}
	e := el.Value.(*entry)
	if !now.Before(e.expires) {
		l.order.Remove(el)
		delete(l.items, key)
		return nil, false
	}
	l.order.MoveToFront(el)
	return e, true
}

// add keeps e, evicting the least recently used entries to make room.
func (l *lru) add(e *entry) {
	if l.size <= 0 {
		return
	}
	if el, ok := l.items[e.key]; ok {
		el.Value = e
		l.order.MoveToFront(el)
		return
	}
	for l.order.Len() >= l.size {
		oldest := l.order.Back()
		l.order.Remove(oldest)
		delete(l.items, oldest.Value.(*entry).key)
	}
	l.items[e.key] = l.order.PushFront(e)
}
