//! Test support shared by the registry tests (and reusable by workflow
//! tests): a real CNCF distribution registry (`registry`), an in-process
//! HTTP server (`http`) and a token issuer (`token`).
#![allow(dead_code)]

pub mod fixtures;
pub mod http;
pub mod images;
pub mod oci_registry;
pub mod registry;
pub mod servers;
pub mod token;
