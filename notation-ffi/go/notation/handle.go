package notation

// #include "notation.h"
import "C"

import (
	"runtime"
	"sync"
)

// ErrClosed is returned by every method of a Config, Verifier, Signer or
// Target after its Close (errors.Is(err, ErrInvalidArgument) holds too).
var ErrClosed = &Error{Code: CodeInvalidArgument, Message: "use of a closed notation handle"}

// handle owns one library handle of type T. Calls hold a read lock for as
// long as they use the pointer; Close takes the write lock, so it waits for
// the calls in progress on other goroutines, frees the handle once and
// leaves nil behind: a call after Close gets ErrClosed, never freed memory.
// Calls that use two handles lock them in the order Config, Verifier,
// Signer, Target, so that two Closes waiting on each other's readers
// cannot deadlock.
//
// The wrappers (Config, Verifier, Signer, Target) hold a *handle, so a copy
// of a wrapper value shares its handle, lock and state: a Close through one
// copy is seen by the others (ErrClosed), never a freed pointer. The
// finalizer is on the handle, so it runs only when no copy can reach it.
type handle[T any] struct {
	mu   sync.RWMutex
	ptr  *T
	free func(**T)
}

func newHandle[T any](ptr *T, free func(**T)) *handle[T] {
	h := &handle[T]{ptr: ptr, free: free}
	runtime.SetFinalizer(h, func(h *handle[T]) { h.close() })
	return h
}

// use runs f with the live pointer, or returns ErrClosed (also for the
// nil handle of a zero-value wrapper, such as var t Target).
func (h *handle[T]) use(f func(*T) error) error {
	if h == nil {
		return ErrClosed
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	if h.ptr == nil {
		return ErrClosed
	}
	return f(h.ptr)
}

// call runs one library call with the live pointer and turns its code
// into an error (see the package-level call).
func (h *handle[T]) call(f func(*T) C.notation_result) error {
	return h.use(func(p *T) error {
		return call(func() C.notation_result { return f(p) })
	})
}

// close frees the handle once; later calls do nothing (nor on a nil
// handle).
func (h *handle[T]) close() {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ptr != nil {
		p := h.ptr
		h.free(&p)
		h.ptr = nil
	}
}
