package notation

// #include "notation.h"
import "C"

import "time"

// Network limits (the C functions are in notation-ffi/src/network.rs).

// durationMillis converts d for a C time limit in milliseconds (0: the
// default); a positive duration under a millisecond counts as one.
func durationMillis(d time.Duration, what string) (C.uint32_t, error) {
	ms := d.Milliseconds()
	if d < 0 || ms > int64(^uint32(0)) {
		return 0, &Error{Code: CodeInvalidArgument, Message: what + " out of range"}
	}
	if d > 0 && ms == 0 {
		ms = 1
	}
	return C.uint32_t(ms), nil
}

// SetRegistryTimeout sets the time limit of each registry operation (one
// sign, verify, list or inspect) of registry targets made from the
// configuration afterwards: the time its requests spend on the network,
// summed over all of them (redirects, token requests, every page and
// signature included). 0 restores the default, 10 s.
func (c *Config) SetRegistryTimeout(timeout time.Duration) error {
	ms, err := durationMillis(timeout, "registry timeout")
	if err != nil {
		return err
	}
	return c.h.call(func(cp *C.notation_config) C.notation_result {
		return C.notation_config_set_registry_timeout(cp, ms)
	})
}

// SetRegistryMaxBytes sets the most bytes of response bodies one registry
// operation of registry targets made from the configuration afterwards may
// read. 0 restores the default, 64 MiB.
func (c *Config) SetRegistryMaxBytes(maxBytes uint64) error {
	return c.h.call(func(cp *C.notation_config) C.notation_result {
		return C.notation_config_set_registry_max_bytes(cp, C.uint64_t(maxBytes))
	})
}
