//! Test support shared by the registry tests (and reusable by workflow
//! tests): a real CNCF distribution registry (`registry`), an in-process
//! HTTP server (`http`) and a token issuer (`token`); a registry content
//! set for batch verification (`batch_fixture`). The JSON Schema validator
//! (`json_schema.rs`, which needs the `regex` crate) is included by path by
//! the tests that validate reports.
#![allow(dead_code)]

pub mod batch_fixture;
pub mod fixtures;
pub mod http;
pub mod images;
pub mod oci_registry;
pub mod registry;
pub mod servers;
pub mod token;
