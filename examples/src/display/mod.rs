//! Output formats shared by the commands: the signature view of `blob
//! inspect` (and, later, OCI `inspect`), tree rendering, Go-compatible JSON
//! and `tabwriter`-style tables.

pub mod escape;
pub mod gojson;
pub mod signature;
pub mod table;
mod timestamp;
pub mod tree;
