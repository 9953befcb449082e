//go:build !notation_static

package notation

// Links libnotation.so, found through pkg-config (notation.pc, installed by
// `make -C notation-ffi install`; set PKG_CONFIG_PATH for a prefix
// pkg-config does not search). At run time the loader must find
// libnotation.so.1: a system prefix, or LD_LIBRARY_PATH.

// #cgo pkg-config: notation
import "C"
