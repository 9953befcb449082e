package notation

// #include <stdlib.h>
// #include "notation.h"
import "C"

import (
	"fmt"
	"strings"
	"unsafe"
)

// readString reads a string through the caller-buffer pattern: ask for
// the size, then copy (again if the value grew meanwhile).
func readString(f func(buf *C.char, n C.size_t, needed *C.size_t) C.notation_result) (string, error) {
	var needed C.size_t
	rc := f(nil, 0, &needed)
	for attempt := 0; attempt < 4; attempt++ {
		if rc != C.NOTATION_RESULT_BUFFER_TOO_SMALL {
			return "", &Error{Code: Code(rc)}
		}
		buf := make([]byte, int(needed))
		rc = f((*C.char)(unsafe.Pointer(&buf[0])), needed, &needed)
		if rc == C.NOTATION_RESULT_OK {
			return string(buf[:int(needed)-1]), nil
		}
	}
	return "", &Error{Code: Code(rc)}
}

// optionalString is readString where NOT_AVAILABLE means "".
func optionalString(f func(buf *C.char, n C.size_t, needed *C.size_t) C.notation_result) string {
	s, _ := readString(f)
	return s
}

func bytesPtr(b []byte) (*C.uint8_t, C.size_t) {
	if len(b) == 0 {
		return nil, 0
	}
	return (*C.uint8_t)(unsafe.Pointer(&b[0])), C.size_t(len(b))
}

// cStrings holds the C copies of one call's string arguments until free.
type cStrings struct {
	ptrs []*C.char
}

// add copies s into C memory for the argument name. A C string ends at its
// first NUL byte, so a Go string holding one would reach the library cut
// short (a path that names another file, a required metadata value that
// matches less than it says): such a string is refused with
// CodeInvalidArgument and nothing is allocated. add is the package's only
// use of C.CString (TestCStringOnlyThroughTheNULCheck checks).
func (cs *cStrings) add(name, s string) (*C.char, error) {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return nil, &Error{
			Code:    CodeInvalidArgument,
			Message: fmt.Sprintf("%s contains a NUL byte (at byte %d), which a C string cannot hold", name, i),
		}
	}
	p := C.CString(s)
	cs.ptrs = append(cs.ptrs, p)
	return p, nil
}

// free releases every copy made by add.
func (cs *cStrings) free() {
	for _, p := range cs.ptrs {
		C.free(unsafe.Pointer(p))
	}
	cs.ptrs = nil
}
