//! Plugin versions: validation and precedence exactly
//! as the reference computes them.
//!
//! The reference validates with the regular expression suggested by
//! semver.org, then compares with `golang.org/x/mod/semver` after prefixing
//! `v`. The two differ at the edges, and both edges are observable:
//! `x/mod/semver` also accepts the shorthands `1` and `1.2` (as `1.0.0` and
//! `1.2.0`), and treats every string it cannot parse as smaller than any
//! valid version and equal to every other invalid one. The minimum-version
//! gate therefore passes for an unparsable minimum (`1-pre+meta`), as
//! MANIFEST's `TestIsRequiredVerificationPluginVer` cases show. The `semver`
//! crate implements neither rule, so the comparison is written here.
// Requirements: R4, R8.

use std::cmp::Ordering;

/// Whether `version` is a SemVer 2.0.0 version, by the semver.org regular
/// expression the reference uses (`MAJOR.MINOR.PATCH[-PRE][+BUILD]`, no
/// leading zeros in numeric parts, ASCII only).
pub fn is_valid(version: &str) -> bool {
    let (core, build) = match version.split_once('+') {
        Some((core, build)) => (core, Some(build)),
        None => (version, None),
    };
    let (numbers, pre) = match core.split_once('-') {
        Some((numbers, pre)) => (numbers, Some(pre)),
        None => (core, None),
    };
    let mut parts = numbers.split('.');
    let numeric_ok =
        (0..3).all(|_| parts.next().is_some_and(is_numeric_identifier)) && parts.next().is_none();
    numeric_ok
        && pre.is_none_or(|p| p.split('.').all(is_prerelease_identifier))
        && build.is_none_or(|b| b.split('.').all(is_build_identifier))
}

/// `0|[1-9]\d*`
fn is_numeric_identifier(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'))
}

/// `0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*`
fn is_prerelease_identifier(s: &str) -> bool {
    if s.is_empty() || !s.bytes().all(is_ident_byte) {
        return false;
    }
    is_numeric_identifier(s) || s.bytes().any(|b| !b.is_ascii_digit())
}

/// `[0-9a-zA-Z-]+`
fn is_build_identifier(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_ident_byte)
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

/// A version as `golang.org/x/mod/semver` parses `v<version>`.
struct Parsed<'a> {
    major: &'a str,
    minor: &'a str,
    patch: &'a str,
    /// With its leading `-`, or empty.
    prerelease: &'a str,
}

fn parse(v: &str) -> Option<Parsed<'_>> {
    let (major, rest) = parse_int(v)?;
    if rest.is_empty() {
        return Some(Parsed {
            major,
            minor: "0",
            patch: "0",
            prerelease: "",
        });
    }
    let (minor, rest) = parse_int(rest.strip_prefix('.')?)?;
    if rest.is_empty() {
        return Some(Parsed {
            major,
            minor,
            patch: "0",
            prerelease: "",
        });
    }
    let (patch, mut rest) = parse_int(rest.strip_prefix('.')?)?;
    let mut prerelease = "";
    if rest.starts_with('-') {
        let end = rest.find('+').unwrap_or(rest.len());
        prerelease = &rest[..end];
        if !prerelease[1..]
            .split('.')
            .all(|id| !id.is_empty() && id.bytes().all(is_ident_byte) && !is_bad_number(id))
        {
            return None;
        }
        rest = &rest[end..];
    }
    if let Some(build) = rest.strip_prefix('+') {
        if !build.split('.').all(is_build_identifier) {
            return None;
        }
        rest = "";
    }
    rest.is_empty().then_some(Parsed {
        major,
        minor,
        patch,
        prerelease,
    })
}

fn parse_int(v: &str) -> Option<(&str, &str)> {
    let end = v.bytes().take_while(u8::is_ascii_digit).count();
    if end == 0 || (v.starts_with('0') && end != 1) {
        return None;
    }
    Some(v.split_at(end))
}

/// A numeric identifier with a leading zero.
fn is_bad_number(id: &str) -> bool {
    id.len() > 1 && id.starts_with('0') && id.bytes().all(|b| b.is_ascii_digit())
}

fn compare_int(x: &str, y: &str) -> Ordering {
    x.len().cmp(&y.len()).then_with(|| x.cmp(y))
}

fn compare_prerelease(x: &str, y: &str) -> Ordering {
    if x == y {
        return Ordering::Equal;
    }
    // A version without pre-release ranks above one with it.
    if x.is_empty() {
        return Ordering::Greater;
    }
    if y.is_empty() {
        return Ordering::Less;
    }
    let mut xs = x[1..].split('.');
    let mut ys = y[1..].split('.');
    loop {
        match (xs.next(), ys.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(dx), Some(dy)) if dx == dy => continue,
            (Some(dx), Some(dy)) => {
                let nx = dx.bytes().all(|b| b.is_ascii_digit());
                let ny = dy.bytes().all(|b| b.is_ascii_digit());
                return match (nx, ny) {
                    // Numeric identifiers rank below alphanumeric ones.
                    (true, false) => Ordering::Less,
                    (false, true) => Ordering::Greater,
                    (true, true) => compare_int(dx, dy),
                    (false, false) => dx.cmp(dy),
                };
            }
        }
    }
}

/// Compares two versions as the reference does
/// (`semver.Compare("v"+v, "v"+w)` of `golang.org/x/mod/semver`): build
/// metadata is ignored; a string that does not parse ranks below every
/// version that does and equal to any other that does not.
pub fn compare(v: &str, w: &str) -> Ordering {
    match (parse(v), parse(w)) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(a), Some(b)) => compare_int(a.major, b.major)
            .then_with(|| compare_int(a.minor, b.minor))
            .then_with(|| compare_int(a.patch, b.patch))
            .then_with(|| compare_prerelease(a.prerelease, b.prerelease)),
    }
}

/// Whether a plugin of `plugin_version` satisfies a signature's
/// `io.cncf.notary.verificationPluginMinVersion`: it does unless it
/// compares lower (the reference's `isRequiredVerificationPluginVer`).
// Requirements: R8.
pub fn satisfies_minimum(plugin_version: &str, minimum: &str) -> bool {
    compare(plugin_version, minimum) != Ordering::Less
}

/// Why two plugin versions cannot be compared.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0} is not a valid semantic version")]
pub struct InvalidVersion(pub String);

/// Validates both versions with [`is_valid`], then compares them (the
/// reference's `ComparePluginVersion`, used when installing a plugin over
/// another).
pub fn compare_plugin_versions(v: &str, w: &str) -> Result<Ordering, InvalidVersion> {
    for version in [v, w] {
        if !is_valid(version) {
            return Err(InvalidVersion(version.to_string()));
        }
    }
    Ok(compare(v, w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_follows_the_semver_org_expression() {
        for v in [
            "0.0.0",
            "1.0.0",
            "1.2.3-alpha",
            "1.0.0-alpha.beta",
            "1.0.0-0.3.7",
            "1.0.0-x.7.z.92",
            "1.0.0-alpha+001",
            "1.0.0+20130313144700",
            "1.0.0-beta+exp.sha.5114f85",
            "1.0.0-x-y-z.--",
            "1.0.0-0a",
            "10.20.30",
        ] {
            assert!(is_valid(v), "{v} should be valid");
        }
        for v in [
            "",
            "1",
            "1.2",
            "v1.0.0",
            "01.0.0",
            "1.01.0",
            "1.0.00",
            "1.0.0-",
            "1.0.0-01",
            "1.0.0-alpha..1",
            "1.0.0+",
            "1.0.0+a..b",
            "1.0.0-alpha_1",
            "1-pre+meta",
            "1.0.0\n",
            " 1.0.0",
            "1.0.0.0",
            "１.0.0",
        ] {
            assert!(!is_valid(v), "{v:?} should be invalid");
        }
    }

    #[test]
    fn minimum_version_gate_matches_the_reference() {
        // MANIFEST 01 TestIsRequiredVerificationPluginVer, plugin 1.0.0.
        for min in ["0.0.9", "1.0.0", "1.0.0-alpha", "1-pre+meta"] {
            assert!(satisfies_minimum("1.0.0", min), "{min}");
        }
        for min in ["1.0.1", "1.1.0", "1.2.0", "1.1.0-alpha"] {
            assert!(!satisfies_minimum("1.0.0", min), "{min}");
        }
        // The plugin-version vectors of MANIFEST 01.
        for min in ["0.0.9", "1.0.0-alpha", "1.0.0-alpha.beta", "1.0.0"] {
            assert!(satisfies_minimum("1.0.0", min), "{min}");
        }
        for min in ["1.0.1", "1.0.9", "1.1.0-alpha", "1.2.3"] {
            assert!(!satisfies_minimum("1.0.0", min), "{min}");
        }
        // No minimum: the reference compares with "v", which never parses.
        assert!(satisfies_minimum("1.0.0", ""));
    }

    #[test]
    fn precedence_follows_semver_2() {
        // semver.org 11.4 example chain.
        let chain = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.1",
            "1.1.0-alpha",
            "1.1.0",
            "2.0.0",
            "10.0.0",
        ];
        for (i, a) in chain.iter().enumerate() {
            for (j, b) in chain.iter().enumerate() {
                assert_eq!(compare(a, b), i.cmp(&j), "{a} vs {b}");
            }
        }
        assert_eq!(compare("1.0.0+a", "1.0.0+b"), Ordering::Equal);
        assert_eq!(compare("1", "1.0.0"), Ordering::Equal);
        assert_eq!(compare("1.2", "1.2.0"), Ordering::Equal);
        assert_eq!(compare("bad", "0.0.0"), Ordering::Less);
        assert_eq!(compare("bad", "worse"), Ordering::Equal);
        assert_eq!(
            compare("99999999999999999999.0.0", "9999999999999999999.0.0"),
            Ordering::Greater
        );
    }

    #[test]
    fn plugin_version_comparison_validates_first() {
        assert_eq!(
            compare_plugin_versions("1.0.1", "1.0.0"),
            Ok(Ordering::Greater)
        );
        assert_eq!(
            compare_plugin_versions("1.0", "1.0.0")
                .unwrap_err()
                .to_string(),
            "1.0 is not a valid semantic version"
        );
    }
}
