//! The registry client: OCI distribution API over HTTP (placeholder; see the
//! registry client issue).
