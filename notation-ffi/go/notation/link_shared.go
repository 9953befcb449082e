//go:build !notation_static

package notation

// Links libnotation.so. Point the linker at it with
// CGO_LDFLAGS="-L<dir> -Wl,-rpath,<dir>" (or install it where the system
// linker looks).

// #cgo LDFLAGS: -lnotation
import "C"
