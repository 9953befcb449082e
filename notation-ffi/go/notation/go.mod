module github.com/notation-rs/notation-rs/notation-ffi/go/notation

go 1.19
