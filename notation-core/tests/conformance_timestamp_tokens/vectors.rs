//! Reading the vectors of 04 and the roots their tokens chain to.

use std::collections::BTreeSet;

use notation_core::x509::Certificate;

use crate::common;

pub(crate) const TOKENS: &str = "04-timestamp-tokens";

pub(crate) fn read(path: &str) -> Vec<u8> {
    common::conformance(path)
}

pub(crate) fn certs(path: &str) -> Vec<Certificate> {
    Certificate::parse_many(&read(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// GlobalSign Root R3, the root of the tspclient-go tokens.
pub(crate) fn globalsign_r3() -> Vec<Certificate> {
    certs(&format!("{TOKENS}/tspclient-go/GlobalSignRootCA.crt"))
}

/// The `tsa:test-timestamp` store of notation-go's verifier tests
/// (GlobalSign Root R6), root of the 03 tokens.
pub(crate) fn test_timestamp_store() -> Vec<Certificate> {
    let dir = common::conformance_dir()
        .join("05-truststores/notation-go-verifier/truststore/x509/tsa/test-timestamp");
    let mut roots = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        roots.extend(Certificate::parse_many(&data).unwrap());
    }
    assert!(!roots.is_empty());
    roots
}

/// The file names of a vector directory: a vector added or removed upstream
/// must show up here, never be skipped.
pub(crate) fn listing(dir: &str) -> BTreeSet<String> {
    let path = common::conformance_dir().join(TOKENS).join(dir);
    std::fs::read_dir(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}
