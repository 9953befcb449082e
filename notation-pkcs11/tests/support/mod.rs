//! Test support for the PKCS#11 suites: real SoftHSM tokens (`softhsm`).
#![allow(dead_code)]

pub mod softhsm;
pub mod verify;
