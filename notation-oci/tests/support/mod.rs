//! Test support shared by the registry tests (and reusable by workflow
//! tests): a real CNCF distribution registry (`registry`), an in-process
//! HTTP server (`http`) and a token issuer (`token`); a registry content
//! set for batch verification (`batch_fixture`) and a JSON Schema validator
//! (`json_schema`).
#![allow(dead_code)]

pub mod batch_fixture;
pub mod fixtures;
pub mod http;
pub mod json_schema;
pub mod oci_registry;
pub mod registry;
pub mod servers;
pub mod token;
