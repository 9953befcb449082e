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

/// Signature checks allowed per verification, as Go's
/// `maxChainSignatureChecks`.
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
    signature_checks: usize,
    /// Results of issuer signature checks, keyed by (child, parent) DER
    /// pointers' fingerprints, so a branch revisited costs nothing.
    verified: HashMap<([u8; 32], [u8; 32]), Result<(), String>>,
    chains: Vec<Vec<Certificate>>,
}

/// Builds every chain (up to a small limit) from `leaf` to one of `roots`
/// through `intermediates`, valid at `at`, that allows timeStamping.
/// Chains are ordered leaf first, root last, in the order Go finds them
/// (roots before intermediates at each step, depth first).
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

        let candidates: Vec<(Role, Certificate)> = self
            .roots
            .iter()
            .map(|c| (Role::Root, c))
            .chain(self.intermediates.iter().map(|c| (Role::Intermediate, c)))
            .filter(|(_, c)| c.raw_subject() == child.raw_issuer())
            .map(|(role, c)| (role, c.clone()))
            .collect();

        for (role, candidate) in candidates {
            if self.chains.len() >= MAX_CHAINS {
                break;
            }
            if current.contains(&candidate) {
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
        let key = (*child.sha256_fingerprint(), *parent.sha256_fingerprint());
        if let Some(result) = self.verified.get(&key) {
            return result.clone().map_err(CheckError::Signature);
        }
        if self.signature_checks >= MAX_SIGNATURE_CHECKS {
            return Err(CheckError::Budget);
        }
        self.signature_checks += 1;
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
