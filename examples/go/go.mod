module github.com/notation-rs/notation-rs/examples/go

go 1.19

require github.com/notation-rs/notation-rs/notation-ffi/go/notation v0.0.0

replace github.com/notation-rs/notation-rs/notation-ffi/go/notation => ../../notation-ffi/go/notation
