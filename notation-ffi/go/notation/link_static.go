//go:build notation_static

package notation

// Links libnotation.a into the program, with the system libraries rustc
// says it needs, through pkg-config (notation-static.pc, installed by
// `make -C notation-ffi install` next to notation.pc). Nothing to ship.

// #cgo pkg-config: notation-static
import "C"
