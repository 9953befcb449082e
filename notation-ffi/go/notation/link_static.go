//go:build notation_static

package notation

// Links libnotation.a into the program (build with -tags notation_static and
// CGO_LDFLAGS="-L<dir>"), followed by the system libraries it needs (rustc
// lists them: RUSTFLAGS="--print native-static-libs").

// #cgo LDFLAGS: -l:libnotation.a -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
import "C"
