//! A small path builder for TSA chains: a timestamp token carries its
//! certificates unordered, and the reference verifies them with Go's
//! `x509.Certificate.Verify` (token certificates as intermediates, the `tsa`
//! trust store as roots, at genTime, EKU timeStamping). This reproduces that
//! search and its errors, with a work budget against hostile tokens.
//!
//! What Go checks and this does too: validity of every certificate at the
//! verification time, issuer/subject name chaining by raw bytes, the
//! issuer's signature with SHA-1/MD5 refused, intermediates must be CAs
//! allowed to sign certificates, pathLenConstraint, and an EKU on any chain
//! certificate must allow timeStamping. What it deliberately does not:
//! name constraints and unknown critical extensions (the specification
//! ignores every extension but basic constraints, key usage and EKU). The
//! Notation certificate rules proper are
//! [`validate_timestamping_chain`](crate::x509::chain::validate_timestamping_chain),
//! run on the result.
// Requirements: H6, H7, H1, H4.

use std::collections::HashMap;

use time::OffsetDateTime;

use super::error::PathError;
use crate::crypto::CryptoProvider;
use crate::oid;
use crate::x509::Certificate;

/// Signature check attempts allowed per chain search, as Go's
/// `maxChainSignatureChecks`: every candidate issuer tried counts, also
/// one whose result is already known, so that the search itself (not
/// only the cryptography) is bounded.
const MAX_SIGNATURE_CHECKS: usize = 100;

/// Chains collected at most; the first one is used, later ones only matter
/// for the signing-time check.
const MAX_CHAINS: usize = 8;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Intermediate,
    Root,
}

struct Builder<'a> {
    intermediates: &'a [Certificate],
    roots: &'a [Certificate],
    at: OffsetDateTime,
    crypto: &'a dyn CryptoProvider,
    /// Candidate issuers tried so far ([`MAX_SIGNATURE_CHECKS`]).
    signature_checks: usize,
    /// Results of issuer signature checks, keyed by the (child, parent)
    /// fingerprints, so a pair met again on another branch costs no
    /// public-key operation (it still counts as an attempt).
    verified: HashMap<([u8; 32], [u8; 32]), Result<(), String>>,
    chains: Vec<Vec<Certificate>>,
}

/// Builds every chain (up to a small limit) from `leaf` to one of `roots`
/// through `intermediates`, valid at `at`, that allows timeStamping.
/// Chains are ordered leaf first, root last, found as Go searches (roots
/// before intermediates at each step, depth first; Go also tries issuers
/// whose key identifier matches first, which this does not).
pub(crate) fn build_chains(
    leaf: &Certificate,
    intermediates: &[Certificate],
    roots: &[Certificate],
    at: OffsetDateTime,
    crypto: &dyn CryptoProvider,
) -> Result<Vec<Vec<Certificate>>, PathError> {
    check_validity(leaf, at)?;
    let chains = if roots.iter().any(|r| r == leaf) {
        vec![vec![leaf.clone()]]
    } else {
        let mut builder = Builder {
            intermediates,
            roots,
            at,
            crypto,
            signature_checks: 0,
            verified: HashMap::new(),
            chains: Vec::new(),
        };
        let mut current = vec![leaf.clone()];
        match builder.extend(&mut current) {
            Err(e) if builder.chains.is_empty() => return Err(e),
            _ => builder.chains,
        }
    };
    let usable: Vec<_> = chains
        .into_iter()
        .filter(|c| allows_timestamping(c))
        .collect();
    if usable.is_empty() {
        return Err(PathError::IncompatibleUsage);
    }
    Ok(usable)
}

impl Builder<'_> {
    /// Extends `current` (leaf first) towards a root. On failure returns the
    /// error Go's `buildChains` would: the last candidate's validity error,
    /// else "unknown authority" with a hint.
    fn extend(&mut self, current: &mut Vec<Certificate>) -> Result<(), PathError> {
        let child = current.last().expect("chain is never empty").clone();
        let mut last_error: Option<PathError> = None;
        let mut hint: Option<(String, String)> = None;
        let found_before = self.chains.len();

        // Each pool holds a certificate once, as Go's `CertPool` does.
        let mut candidates: Vec<(Role, Certificate)> = Vec::new();
        for (role, pool) in [
            (Role::Root, self.roots),
            (Role::Intermediate, self.intermediates),
        ] {
            let first = candidates.len();
            for c in pool
                .iter()
                .filter(|c| c.raw_subject() == child.raw_issuer())
            {
                if !candidates[first..].iter().any(|(_, seen)| seen == c) {
                    candidates.push((role, c.clone()));
                }
            }
        }

        for (role, candidate) in candidates {
            if self.chains.len() >= MAX_CHAINS {
                break;
            }
            if already_in_chain(&candidate, current) {
                continue;
            }
            if let Err(e) = self.check_issued_by(&child, &candidate) {
                match e {
                    CheckError::Budget => {
                        last_error = Some(PathError::BudgetExhausted);
                        break;
                    }
                    CheckError::Signature(err) => {
                        hint.get_or_insert((err, go_name(&candidate)));
                        continue;
                    }
                }
            }
            if let Err(e) = self.check_candidate(&candidate, role, current) {
                hint.get_or_insert((e.to_string(), go_name(&candidate)));
                last_error = Some(e);
                continue;
            }
            current.push(candidate);
            match role {
                Role::Root => self.chains.push(current.clone()),
                Role::Intermediate => {
                    if let Err(e) = self.extend(current) {
                        last_error = Some(e);
                    }
                }
            }
            current.pop();
            if matches!(last_error, Some(PathError::BudgetExhausted)) {
                break;
            }
        }

        if self.chains.len() > found_before {
            return Ok(());
        }
        Err(last_error.unwrap_or(PathError::UnknownAuthority { hint }))
    }

    fn check_issued_by(
        &mut self,
        child: &Certificate,
        parent: &Certificate,
    ) -> Result<(), CheckError> {
        if self.signature_checks >= MAX_SIGNATURE_CHECKS {
            return Err(CheckError::Budget);
        }
        self.signature_checks += 1;
        let key = (*child.sha256_fingerprint(), *parent.sha256_fingerprint());
        if let Some(result) = self.verified.get(&key) {
            return result.clone().map_err(CheckError::Signature);
        }
        let result = child
            .check_signature_from(parent, self.crypto)
            .map_err(|e| e.to_string());
        self.verified.insert(key, result.clone());
        result.map_err(CheckError::Signature)
    }

    /// Go's `isValid` for an issuer candidate.
    fn check_candidate(
        &self,
        cert: &Certificate,
        role: Role,
        current: &[Certificate],
    ) -> Result<(), PathError> {
        check_validity(cert, self.at)?;
        let subject = || cert.subject().to_string();
        if role == Role::Intermediate && !cert.is_ca() {
            return Err(PathError::NotAuthorizedToSign { subject: subject() });
        }
        if let Some(max) = cert.basic_constraints().and_then(|bc| bc.path_len) {
            let intermediates_below = current.len() - 1;
            if intermediates_below > max as usize {
                return Err(PathError::TooManyIntermediates { subject: subject() });
            }
        }
        Ok(())
    }
}

/// Go's `alreadyInChain`: a certificate with the subject, the key and the
/// subjectAltName of one already on the chain would only make a longer
/// path through the same authority (a re-issued copy, a loop).
fn already_in_chain(candidate: &Certificate, chain: &[Certificate]) -> bool {
    chain.iter().any(|c| {
        c.raw_subject() == candidate.raw_subject()
            && c.raw_subject_public_key_info() == candidate.raw_subject_public_key_info()
            && c.subject_alt_name_der() == candidate.subject_alt_name_der()
    })
}

enum CheckError {
    Budget,
    Signature(String),
}

fn check_validity(cert: &Certificate, at: OffsetDateTime) -> Result<(), PathError> {
    if at < cert.not_before() {
        return Err(PathError::NotYetValid {
            subject: cert.subject().to_string(),
            at,
            not_before: cert.not_before(),
        });
    }
    if at > cert.not_after() {
        return Err(PathError::Expired {
            subject: cert.subject().to_string(),
            at,
            not_after: cert.not_after(),
        });
    }
    Ok(())
}

/// Go's `checkChainForKeyUsage` for the single usage timeStamping: every
/// certificate that has an EKU extension must list timeStamping or
/// anyExtendedKeyUsage.
fn allows_timestamping(chain: &[Certificate]) -> bool {
    chain.iter().all(|c| match c.ext_key_usage() {
        None | Some((_, [])) => true,
        Some((_, ekus)) => ekus
            .iter()
            .any(|e| *e == oid::EKU_TIME_STAMPING || *e == oid::EKU_ANY),
    })
}

/// The name Go prints for a candidate issuer: CN, else first O, else the
/// serial number.
fn go_name(cert: &Certificate) -> String {
    let subject = cert.subject();
    if let Some(cn) = subject.values(oid::AT_COMMON_NAME).last()
        && !cn.is_empty()
    {
        return cn.to_string();
    }
    if let Some(o) = subject.values(oid::AT_ORGANIZATION).next() {
        return o.to_string();
    }
    format!(
        "serial:{}",
        super::asn1::integer_to_decimal(cert.serial_number())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::DefaultProvider;
    use time::macros::datetime;

    fn token_certificates() -> (Vec<Certificate>, Certificate) {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/conformance/04-timestamp-tokens/tspclient-go"
        );
        let token = std::fs::read(format!("{dir}/TimeStampToken.p7s")).unwrap();
        let sd = super::super::cms::SignedData::parse(&token).unwrap();
        let root =
            Certificate::parse_many(&std::fs::read(format!("{dir}/GlobalSignRootCA.crt")).unwrap())
                .unwrap();
        (sd.certificates, root[0].clone())
    }

    /// Copies of `cert` with a different serial number (same names and
    /// key, broken signature) or, with `break_key`, also a different key.
    fn forgeries(cert: &Certificate, n: usize, break_key: bool) -> Vec<Certificate> {
        let der = cert.der();
        let serial = cert.serial_number();
        let at = der.windows(serial.len()).position(|w| w == serial).unwrap();
        let key_at = match cert.public_key() {
            crate::crypto::PublicKey::Rsa { pkcs1, .. } => {
                der.windows(pkcs1.len())
                    .position(|w| w == pkcs1.as_slice())
                    .unwrap()
                    + pkcs1.len() / 2
            }
            other => panic!("unexpected key {other:?}"),
        };
        (0..n)
            .map(|i| {
                let mut d = der.to_vec();
                d[at + serial.len() - 1] ^= (i as u8).wrapping_add(1);
                d[at + serial.len() - 2] ^= (i >> 8) as u8;
                if break_key {
                    d[key_at] ^= 0x55;
                }
                Certificate::from_der(&d).unwrap()
            })
            .collect()
    }

    #[test]
    fn unordered_and_duplicated_intermediates() {
        let (certs, root) = token_certificates();
        let at = datetime!(2021-09-17 14:09:10 UTC);
        let mut shuffled: Vec<Certificate> = certs.iter().rev().cloned().collect();
        for _ in 0..7 {
            shuffled.extend(certs.iter().cloned());
        }
        let chains = build_chains(
            &certs[0],
            &shuffled,
            std::slice::from_ref(&root),
            at,
            &DefaultProvider,
        )
        .unwrap();
        assert!(chains.len() <= MAX_CHAINS);
        assert_eq!(chains[0], certs);
    }

    #[test]
    fn same_name_candidates_spend_the_budget() {
        let (certs, root) = token_certificates();
        let at = datetime!(2021-09-17 14:09:10 UTC);
        // Forged issuers with the genuine key verify the leaf but are not
        // signed by their own issuer: the search goes on and reports the
        // first failure one level up as a hint, like Go.
        let mut intermediates = forgeries(&certs[1], 3, false);
        intermediates.extend(certs[2..].iter().cloned());
        let err = build_chains(
            &certs[0],
            &intermediates,
            std::slice::from_ref(&root),
            at,
            &DefaultProvider,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "x509: certificate signed by unknown authority (possibly because of \"crypto/rsa: verification error\" while trying to verify candidate authority certificate \"{}\")",
                go_name(&certs[2])
            )
        );
        // The genuine issuer after the forgeries is still found.
        intermediates.push(certs[1].clone());
        assert_eq!(
            build_chains(
                &certs[0],
                &intermediates,
                std::slice::from_ref(&root),
                at,
                &DefaultProvider
            )
            .unwrap()[0],
            certs
        );
        // Hundreds of same-name roots with other keys: the work stops at the
        // budget.
        let roots = forgeries(&certs[1], 300, true);
        assert_eq!(
            build_chains(&certs[0], &certs, &roots, at, &DefaultProvider).unwrap_err(),
            PathError::BudgetExhausted
        );
    }

    /// Copies of the test PKI's root (same names, key and no SAN) with
    /// other serial numbers, each properly signed by the root's key: each
    /// one verifies every other one and the intermediate the root issued.
    fn reissued_roots(n: usize) -> (Vec<Certificate>, Certificate) {
        let pki = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/pki");
        let root = Certificate::parse_many(&std::fs::read(format!("{pki}/root.crt")).unwrap())
            .unwrap()
            .remove(0);
        let intermediate =
            Certificate::parse_many(&std::fs::read(format!("{pki}/intermediate.crt")).unwrap())
                .unwrap()
                .remove(0);
        let key = crate::pem::parse_blocks(&std::fs::read(format!("{pki}/root.key")).unwrap())
            .unwrap()
            .remove(0)
            .der;
        let key = ring::signature::RsaKeyPair::from_pkcs8(&key).unwrap();
        let der = root.der();
        let serial = root.serial_number();
        let serial_at = der.windows(serial.len()).position(|w| w == serial).unwrap();
        let tbs_at = der
            .windows(root.tbs_der().len())
            .position(|w| w == root.tbs_der())
            .unwrap();
        let signature_at = der.len() - root.signature().len();
        let copies = (0..n)
            .map(|i| {
                let mut d = der.to_vec();
                d[serial_at + serial.len() - 1] ^= (i as u8).wrapping_add(1);
                let mut signature = vec![0; key.public().modulus_len()];
                key.sign(
                    &ring::signature::RSA_PKCS1_SHA256,
                    &ring::rand::SystemRandom::new(),
                    &d[tbs_at..tbs_at + root.tbs_der().len()],
                    &mut signature,
                )
                .unwrap();
                d[signature_at..].copy_from_slice(&signature);
                Certificate::from_der(&d).unwrap()
            })
            .collect();
        (copies, intermediate)
    }

    /// A token whose certificates are re-issued copies of one authority
    /// (the same subject and key, other serial numbers) that all verify
    /// each other: Go's `alreadyInChain` stops every path after one copy,
    /// and every candidate tried counts against the budget. Before, only
    /// distinct signature checks counted and the copies made paths of every
    /// length and order (ten copies: about ten million paths, seconds of
    /// work per signer).
    #[test]
    fn reissued_copies_of_one_authority_do_not_multiply_paths() {
        let (copies, intermediate) = reissued_roots(10);
        let other_root = Certificate::parse_many(
            &std::fs::read(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../testdata/pki/other-root.crt"
            ))
            .unwrap(),
        )
        .unwrap();
        let at = intermediate.not_before() + time::Duration::days(1);
        let mut builder = Builder {
            intermediates: &copies,
            roots: &other_root,
            at,
            crypto: &DefaultProvider,
            signature_checks: 0,
            verified: HashMap::new(),
            chains: Vec::new(),
        };
        let mut current = vec![intermediate.clone()];
        let err = builder.extend(&mut current).unwrap_err();
        assert!(matches!(err, PathError::UnknownAuthority { .. }), "{err}");
        // Each copy is tried once under the intermediate, none above it.
        assert_eq!(builder.signature_checks, copies.len());

        // With a root to reach, the first copy leads to it.
        let chains = build_chains(
            &intermediate,
            &copies[1..],
            &copies[..1],
            at,
            &DefaultProvider,
        )
        .unwrap();
        assert_eq!(chains[0], vec![intermediate, copies[0].clone()]);
    }

    #[test]
    fn go_validity_and_ca_rules() {
        let (certs, root) = token_certificates();
        // The leaf itself as a root: a one-certificate chain.
        let at = datetime!(2021-09-17 14:09:10 UTC);
        assert_eq!(
            build_chains(&certs[0], &[], &[certs[0].clone()], at, &DefaultProvider).unwrap(),
            vec![vec![certs[0].clone()]]
        );
        // An expired issuer is the error reported (not "unknown authority").
        let late = datetime!(2033-01-01 0:00 UTC);
        let err = build_chains(&certs[0], &certs, &[root], late, &DefaultProvider).unwrap_err();
        assert!(matches!(err, PathError::Expired { .. }), "{err}");
    }
}
