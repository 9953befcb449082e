//! The checks of one verification: integrity, authenticity, authentic
//! timestamp, revocation.

use super::*;

impl Verifier {
    /// Integrity: parse by media type, verify the signature and the envelope rules,
    /// refuse unknown critical attributes that no plugin will process.
    // Requirements: B5.
    pub(super) fn integrity(
        &self,
        envelope: &[u8],
        media_type: &str,
    ) -> Result<(EnvelopeContent, EnvelopeFormat), CheckFailure> {
        let parsed =
            Envelope::parse_media_type(media_type, envelope).map_err(CheckFailure::Parse)?;
        let format = parsed.format();
        let content = match &self.chain_cache {
            Some(cache) => {
                parsed.verify_parsing(self.crypto.as_ref(), &|der| cache.certificate(der))
            }
            None => parsed.verify(self.crypto.as_ref()),
        }
        .map_err(CheckFailure::Envelope)?;
        let plugin_declared = content
            .signer_info
            .signed
            .extended
            .iter()
            .any(|a| a.key == header::VERIFICATION_PLUGIN.into());
        // The minimum plugin version is the spec's own attribute: without a
        // plugin named it asks nothing (notation-go ignores it then).
        if !plugin_declared
            && let Some(attr) = content
                .signer_info
                .signed
                .extended
                .iter()
                .find(|a| a.critical && a.key != header::VERIFICATION_PLUGIN_MIN_VERSION.into())
        {
            return Err(CheckFailure::UnprocessedCriticalAttribute(
                attr.key.to_string(),
            ));
        }
        Ok((content, format))
    }

    /// The certificates of the statement's stores of one type, each
    /// store once.
    // Requirements: F4.
    pub(super) fn trusted_certificates(
        &self,
        statement: &PolicyStatement,
        store_type: TrustStoreType,
    ) -> Result<Vec<Certificate>, TrustStoreError> {
        let mut seen = Vec::new();
        let mut certs = Vec::new();
        for store in statement
            .trust_stores()
            .iter()
            .filter(|s| s.store_type() == store_type)
        {
            if seen.contains(&store.name()) {
                continue;
            }
            seen.push(store.name());
            let key = (store_type, store.name().to_string());
            match self.stores.get(&key) {
                Some(Ok(loaded)) => certs.extend(loaded.iter().cloned()),
                Some(Err(e)) => return Err(e.clone()),
                // Every store of the documents the verifier was built with
                // was loaded then; a statement from another document (the
                // verify functions take any) may name one that was not.
                None => {
                    return Err(TrustStoreError::NotLoaded {
                        store_type,
                        name: store.name().to_string(),
                    });
                }
            }
        }
        Ok(certs)
    }

    /// Authenticity, first half: some certificate of the chain is one of the trusted
    /// certificates of the scheme's store type.
    // Requirements: I7, F3, F4.
    pub(super) fn authenticity(
        &self,
        statement: &PolicyStatement,
        scheme: SigningScheme,
        chain: &[Certificate],
    ) -> Result<(), CheckFailure> {
        let store_type = match scheme {
            SigningScheme::X509 => TrustStoreType::Ca,
            SigningScheme::X509SigningAuthority => TrustStoreType::SigningAuthority,
        };
        let trusted = self
            .trusted_certificates(statement, store_type)
            .map_err(CheckFailure::TrustStore)?;
        if trusted.is_empty() {
            return Err(CheckFailure::NoTrustedCertificates);
        }
        if chain.iter().any(|c| trusted.contains(c)) {
            Ok(())
        } else {
            Err(CheckFailure::Untrusted)
        }
    }

    /// Authentic timestamp: the timestamp countersignature for `notary.x509`,
    /// the authentic signing time for `signingAuthority`.
    // Requirements: N6, O2-O5, F3.
    pub(super) fn authentic_timestamp(
        &self,
        statement: &PolicyStatement,
        content: &EnvelopeContent,
        now: OffsetDateTime,
    ) -> Result<(), CheckFailure> {
        let info = &content.signer_info;
        let chain = &info.certificate_chain;
        if info.signed.signing_scheme == SigningScheme::X509SigningAuthority {
            let t = info.signed.signing_time;
            return match chain.iter().find(|c| !c.is_valid_at(t)) {
                Some(cert) => Err(CheckFailure::NotValidAtAuthenticSigningTime {
                    subject: cert.subject().to_string(),
                    signing_time: t,
                }),
                None => Ok(()),
            };
        }
        // O2: the trigger conditions.
        let tsa_configured = statement
            .trust_stores()
            .iter()
            .any(|s| s.store_type() == TrustStoreType::Tsa);
        let perform = tsa_configured
            && match statement.verify_timestamp() {
                VerifyTimestamp::Always => true,
                VerifyTimestamp::AfterCertExpiry => chain.iter().any(|c| now > c.not_after()),
            };
        if !perform {
            for cert in chain {
                if now < cert.not_before() {
                    return Err(CheckFailure::NotYetValid {
                        subject: cert.subject().to_string(),
                        not_before: cert.not_before(),
                    });
                }
                if now > cert.not_after() {
                    return Err(CheckFailure::CertificateExpired {
                        subject: cert.subject().to_string(),
                        not_after: cert.not_after(),
                    });
                }
            }
            return Ok(());
        }
        self.timestamp_countersignature(statement, content)
    }

    /// The countersignature must be present and valid, its TSA chain
    /// trusted at the timestamp's time, the whole timestamp range inside
    /// every signing certificate's validity, and the TSA chain not revoked.
    pub(super) fn timestamp_countersignature(
        &self,
        statement: &PolicyStatement,
        content: &EnvelopeContent,
    ) -> Result<(), CheckFailure> {
        let info = &content.signer_info;
        let token = info
            .unsigned
            .timestamp_signature
            .as_deref()
            .ok_or(CheckFailure::NoTimestamp)?;
        let token = SignedToken::parse(token).map_err(CheckFailure::TimestampParse)?;
        let tst_info = token.tst_info().map_err(CheckFailure::TimestampInfo)?;
        let range = tst_info
            .validate(&info.signature)
            .map_err(CheckFailure::TimestampImprint)?;
        let roots = self
            .trusted_certificates(statement, TrustStoreType::Tsa)
            .map_err(CheckFailure::TsaTrustStore)?;
        if roots.is_empty() {
            return Err(CheckFailure::NoTrustedTsaCertificate);
        }
        // O3: the TSA chain is evaluated at the timestamp's time, not now.
        let tsa_chain = token
            .verify(&roots, tst_info.gen_time(), self.crypto.as_ref())
            .map_err(CheckFailure::TimestampVerification)?;
        validate_timestamping_chain(&tsa_chain, self.crypto.as_ref())
            .map_err(CheckFailure::TimestampChain)?;
        // O4: the whole range must lie inside every signing certificate's
        // validity.
        for cert in &info.certificate_chain {
            if !range.bounded_after(cert.not_before()) {
                return Err(CheckFailure::TimestampBeforeCertificate {
                    subject: cert.subject().to_string(),
                    not_before: cert.not_before(),
                });
            }
            if !range.bounded_before(cert.not_after()) {
                return Err(CheckFailure::TimestampAfterCertificate {
                    subject: cert.subject().to_string(),
                    not_after: cert.not_after(),
                });
            }
        }
        // O3: the TSA chain's revocation is always enforced here (O5: no
        // authentic signing time for the TSA chain).
        let results = self
            .timestamp_revocation
            .check(&tsa_chain, RevocationPurpose::Timestamping, None)
            .map_err(CheckFailure::TsaRevocationError)?;
        match final_result(&results, &tsa_chain) {
            (RevocationStatus::Ok | RevocationStatus::NonRevocable, _) => Ok(()),
            (RevocationStatus::Revoked, cert) => Err(CheckFailure::TsaRevoked {
                subject: cert.map(|c| c.subject().to_string()).unwrap_or_default(),
            }),
            (RevocationStatus::Unknown, cert) => Err(CheckFailure::TsaRevocationUnknown {
                subject: cert.map(|c| c.subject().to_string()).unwrap_or_default(),
            }),
        }
    }

    /// Revocation of the signing chain.
    // Requirements: N7.
    pub(super) fn revocation_check(&self, content: &EnvelopeContent) -> Result<(), CheckFailure> {
        let info = &content.signer_info;
        let chain = &info.certificate_chain;
        let results = self
            .revocation
            .check(
                chain,
                RevocationPurpose::CodeSigning,
                info.signed.authentic_signing_time(),
            )
            .map_err(CheckFailure::RevocationError)?;
        match final_result(&results, chain) {
            (RevocationStatus::Ok | RevocationStatus::NonRevocable, _) => Ok(()),
            (RevocationStatus::Revoked, cert) => Err(CheckFailure::Revoked {
                subject: cert.map(|c| c.subject().to_string()).unwrap_or_default(),
            }),
            (RevocationStatus::Unknown, cert) => Err(CheckFailure::RevocationUnknown {
                subject: cert.map(|c| c.subject().to_string()).unwrap_or_default(),
            }),
        }
    }
}
