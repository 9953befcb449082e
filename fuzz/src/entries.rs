//! The input format of the targets that need several files at once (an OCI
//! layout, a registry's content): named entries separated by a scissors
//! line, with the digests between them fixed up so that mutated content
//! stays reachable.
//!
//! ```text
//! <name>\n<content>\n--8<--\n<name>\n<content>...
//! ```
//!
//! An entry whose name is a digest (`sha256:<hex>`, registry content) or a
//! blob path ending in `sha256/<hex>` (a layout) declares content addressed
//! by that digest. Once libFuzzer mutates that
//! content its digest changes and everything referring to it would fail the
//! digest check: [`fix_digests`] computes each entry's real digest and size
//! and rewrites the references (digests by text, `size` members of JSON
//! descriptors) in the other entries and in the names, repeating until
//! nothing changes, so that a mutated envelope still sits behind a valid
//! signature manifest, referrers list and index. Seeds are real files in
//! their natural form, whose digests already agree.

use std::collections::HashMap;

use serde_json::Value;

/// The separator between entries.
pub const SEPARATOR: &[u8] = b"\n--8<--\n";

/// Most entries read from one input.
pub const MAX_ENTRIES: usize = 64;

/// One named file of the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The first line.
    pub name: String,
    /// Everything after the first line.
    pub content: Vec<u8>,
}

/// Splits an input into entries (at most [`MAX_ENTRIES`]); an entry without
/// a newline has an empty content.
pub fn parse(data: &[u8]) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() && out.len() < MAX_ENTRIES {
        let (chunk, next) = match find(rest, SEPARATOR) {
            Some(i) => (&rest[..i], &rest[i + SEPARATOR.len()..]),
            None => (rest, &[][..]),
        };
        rest = next;
        let (name, content) = match chunk.iter().position(|b| *b == b'\n') {
            Some(i) => (&chunk[..i], &chunk[i + 1..]),
            None => (chunk, &[][..]),
        };
        out.push(Entry {
            name: String::from_utf8_lossy(name).into_owned(),
            content: content.to_vec(),
        });
    }
    out
}

/// Header lines of a route, as name and value.
pub type Headers = Vec<(String, String)>;

/// Splits `Name: value` lines up to the first empty line from the rest
/// (a route's headers and body). `None` when a line before the empty line
/// is not a header, or there is no empty line: all of it is body then.
pub fn split_headers(content: &[u8]) -> Option<(Headers, &[u8])> {
    let mut headers = Vec::new();
    let mut rest = content;
    loop {
        let end = rest.iter().position(|b| *b == b'\n')?;
        let line = String::from_utf8_lossy(&rest[..end]);
        let line = line.trim_end_matches('\r');
        rest = &rest[end + 1..];
        if line.is_empty() {
            return Some((headers, rest));
        }
        let (name, value) = line.split_once(':')?;
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return None;
        }
        headers.push((name.to_string(), value.trim().to_string()));
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The digest a content entry's name declares: the name is `sha256:<64
/// hex>` (registry content) or ends with `sha256/<64 hex>` (a layout blob
/// path). Other names (routes, files) declare none, whatever they mention.
pub fn declared_digest(name: &str) -> Option<String> {
    let hex = name.strip_prefix("sha256:").or_else(|| {
        name.len()
            .checked_sub(71)
            .and_then(|i| name.get(i..))
            .and_then(|t| t.strip_prefix("sha256/"))
    })?;
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| format!("sha256:{}", hex.to_ascii_lowercase()))
}

/// Rewrites the references between entries after mutation (see the module
/// documentation). Returns the map from declared digest to real digest.
pub fn fix_digests(entries: &mut [Entry]) -> HashMap<String, String> {
    let mut renamed: HashMap<String, String> = HashMap::new();
    // Real content never cycles; fuzzed content may, hence the bound.
    for _ in 0..6 {
        let mut real: HashMap<String, (String, u64)> = HashMap::new();
        for e in entries.iter() {
            if let Some(declared) = declared_digest(&e.name) {
                real.insert(
                    declared,
                    (crate::sha256_digest(&e.content), e.content.len() as u64),
                );
            }
        }
        let mut changed = false;
        for e in entries.iter_mut() {
            let own = declared_digest(&e.name);
            for (declared, (digest, _)) in &real {
                if declared == digest || own.as_deref() == Some(declared) {
                    continue;
                }
                if let Some(replaced) = replace(&e.content, declared.as_bytes(), digest.as_bytes())
                {
                    e.content = replaced;
                    changed = true;
                }
            }
            if fix_sizes(&mut e.content, &real) {
                changed = true;
            }
        }
        for (declared, (digest, _)) in &real {
            if declared != digest {
                renamed.insert(declared.clone(), digest.clone());
            }
        }
        if !changed {
            break;
        }
    }
    // Names last: content references used the declared names above.
    for e in entries.iter_mut() {
        if let Some(declared) = declared_digest(&e.name)
            && let Some(real) = renamed.get(&declared)
        {
            let (d_hex, r_hex) = (&declared[7..], &real[7..]);
            e.name = e.name.replace(d_hex, r_hex);
        }
    }
    // Other names (routes) may mention any entry's digest.
    for e in entries.iter_mut() {
        if declared_digest(&e.name).is_some() {
            continue;
        }
        for (declared, real) in &renamed {
            e.name = e.name.replace(&declared[7..], &real[7..]);
        }
    }
    renamed
}

fn replace(haystack: &[u8], from: &[u8], to: &[u8]) -> Option<Vec<u8>> {
    find(haystack, from)?;
    let mut out = Vec::with_capacity(haystack.len());
    let mut rest = haystack;
    while let Some(i) = find(rest, from) {
        out.extend_from_slice(&rest[..i]);
        out.extend_from_slice(to);
        rest = &rest[i + from.len()..];
    }
    out.extend_from_slice(rest);
    Some(out)
}

/// Sets the `size` of every JSON object whose `digest` is a known real
/// digest to that content's size. The document is re-serialized only when
/// a size changes.
fn fix_sizes(content: &mut Vec<u8>, real: &HashMap<String, (String, u64)>) -> bool {
    let first = content.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') || content.len() > 1 << 20 {
        return false;
    }
    let Ok(mut value) = serde_json::from_slice::<Value>(content) else {
        return false;
    };
    let sizes: HashMap<&str, u64> = real.values().map(|(d, s)| (d.as_str(), *s)).collect();
    if walk(&mut value, &sizes, 0) {
        *content = serde_json::to_vec(&value).expect("a parsed value serializes");
        true
    } else {
        false
    }
}

fn walk(value: &mut Value, sizes: &HashMap<&str, u64>, depth: usize) -> bool {
    if depth > 32 {
        return false;
    }
    let mut changed = false;
    match value {
        Value::Object(map) => {
            let want = map
                .get("digest")
                .and_then(Value::as_str)
                .and_then(|d| sizes.get(d).copied());
            if let Some(size) = want
                && map.get("size").and_then(Value::as_u64) != Some(size)
            {
                map.insert("size".into(), Value::from(size));
                changed = true;
            }
            for v in map.values_mut() {
                changed |= walk(v, sizes, depth + 1);
            }
        }
        Value::Array(items) => {
            for v in items {
                changed |= walk(v, sizes, depth + 1);
            }
        }
        _ => {}
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_follow_mutated_content() {
        let leaf = b"envelope".to_vec();
        let d = crate::sha256_digest(&leaf);
        let manifest = format!(r#"{{"layers":[{{"digest":"{d}","size":8}}]}}"#);
        let md = crate::sha256_digest(manifest.as_bytes());
        let input = format!(
            "{d}\nenvelope, mutated\n--8<--\n{md}\n{manifest}\n--8<--\nreferrers/{md}\n[\"{md}\"]"
        );
        let mut entries = parse(input.as_bytes());
        assert_eq!(entries.len(), 3);
        fix_digests(&mut entries);
        let real_leaf = crate::sha256_digest(b"envelope, mutated");
        assert_eq!(entries[0].name, real_leaf);
        let m: Value = serde_json::from_slice(&entries[1].content).unwrap();
        assert_eq!(m["layers"][0]["digest"], real_leaf.as_str());
        assert_eq!(m["layers"][0]["size"], 17);
        let real_manifest = crate::sha256_digest(&entries[1].content);
        assert_eq!(entries[1].name, real_manifest);
        assert_eq!(entries[2].name, format!("referrers/{real_manifest}"));
        assert_eq!(
            entries[2].content,
            format!("[\"{real_manifest}\"]").as_bytes()
        );
    }
}
