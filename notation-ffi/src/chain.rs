//! The verified signer: the certificate chain of a signature whose
//! authenticity check passed, read from a verdict.

use std::ffi::c_char;

use notation_core::x509::Certificate;

use crate::buffer::{notation_buffer, write_str};
use crate::error::{Error, notation_result};
use crate::ffi::{Out, handle, into_handle};
use crate::verdict::{Verdict, notation_verdict};

fn chain(v: &Verdict) -> Result<&[Certificate], Error> {
    v.signer_chain.as_deref().ok_or_else(|| {
        Error::new(
            notation_result::NotAvailable,
            "the signer's certificate chain is not available: the authenticity check did not pass",
        )
    })
}

fn certificate(v: &Verdict, index: usize) -> Result<&Certificate, Error> {
    let chain = chain(v)?;
    chain.get(index).ok_or_else(|| {
        Error::new(
            notation_result::IndexOutOfRange,
            format!(
                "certificate index {index} is out of range (count {})",
                chain.len()
            ),
        )
    })
}

/// Copies a text field of certificate `index` of a verdict's chain.
///
/// # Safety
/// As the accessors that call it.
unsafe fn copy_field(
    verdict: *const notation_verdict,
    index: usize,
    field: impl FnOnce(&Certificate) -> String,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> Result<(), Error> {
    // SAFETY: caller guarantees verdict.
    let verdict = unsafe { handle(verdict, "verdict")? };
    let value = verdict.with(|v| certificate(v, index).map(field))?;
    // SAFETY: caller guarantees buf/len and out_needed.
    unsafe { write_str(&value, buf, len, out_needed) }
}

/// Gives how many certificates the verified signer's chain holds (leaf
/// first, as the signature carries it). The chain is available when the
/// last verify call's authenticity check passed: the chain leads to a
/// certificate of the policy's trust stores and the leaf is one of its
/// trusted identities; whatever later checks found. Otherwise (it failed,
/// even under `log`; it did not run; the verification was inconclusive or
/// its plugin failed) the chain is unverified data and this returns
/// `NOTATION_RESULT_NOT_AVAILABLE`, as do the other
/// `notation_verdict_certificate_*` functions.
///
/// # Safety
/// `verdict` must be a live verdict; `out_count` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verdict_certificate_count(
    verdict: *const notation_verdict,
    out_count: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees verdict and out_count.
        let (verdict, out) = unsafe { (handle(verdict, "verdict")?, Out::new(out_count, "out_count")?) };
        out.write(verdict.with(|v| chain(v).map(<[_]>::len))?);
        Ok(())
    }
}

/// Copies the subject of certificate `index` (0 = the signer's leaf) of the
/// verified chain, as the notation CLI renders distinguished names
/// (`CN=...,O=...,C=US`). Availability as for
/// `notation_verdict_certificate_count`; buffer rules as for
/// `notation_result_text`.
///
/// The name is given exactly as the certificate holds it, which may include
/// control and other non-printable characters (the signer chose them):
/// escape it before showing it on a terminal or writing it to a log.
///
/// # Safety
/// `verdict` must be a live verdict; `buf` writable for `len` bytes;
/// `out_needed` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verdict_certificate_subject(
    verdict: *const notation_verdict,
    index: usize,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: forwarded caller guarantees.
        unsafe { copy_field(verdict, index, |c| c.subject().to_string(), buf, len, out_needed) }
    }
}

/// Copies the issuer of certificate `index` of the verified chain. As
/// `notation_verdict_certificate_subject`.
///
/// # Safety
/// `verdict` must be a live verdict; `buf` writable for `len` bytes;
/// `out_needed` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verdict_certificate_issuer(
    verdict: *const notation_verdict,
    index: usize,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: forwarded caller guarantees.
        unsafe { copy_field(verdict, index, |c| c.issuer().to_string(), buf, len, out_needed) }
    }
}

/// Copies the SHA-256 fingerprint of certificate `index` of the verified
/// chain (of its DER encoding, 64 lowercase hex digits: what trust store
/// tooling and `notation certificate` show). As
/// `notation_verdict_certificate_subject`.
///
/// # Safety
/// `verdict` must be a live verdict; `buf` writable for `len` bytes;
/// `out_needed` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verdict_certificate_sha256(
    verdict: *const notation_verdict,
    index: usize,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: forwarded caller guarantees.
        unsafe { copy_field(verdict, index, Certificate::sha256_fingerprint_hex, buf, len, out_needed) }
    }
}

/// Gives the validity period of certificate `index` of the verified chain,
/// in seconds since the Unix epoch (`notBefore` and `notAfter`).
/// Availability as for `notation_verdict_certificate_count`.
///
/// # Safety
/// `verdict` must be a live verdict; `out_not_before` and `out_not_after`
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verdict_certificate_validity(
    verdict: *const notation_verdict,
    index: usize,
    out_not_before: *mut i64,
    out_not_after: *mut i64,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees verdict and the out-parameters.
        let (verdict, out_not_before, out_not_after) = unsafe {
            (
                handle(verdict, "verdict")?,
                Out::new(out_not_before, "out_not_before")?,
                Out::new(out_not_after, "out_not_after")?,
            )
        };
        let (not_before, not_after) = verdict.with(|v| {
            let c = certificate(v, index)?;
            Ok((c.not_before().unix_timestamp(), c.not_after().unix_timestamp()))
        })?;
        out_not_before.write(not_before);
        out_not_after.write(not_after);
        Ok(())
    }
}

/// Gives the DER encoding of certificate `index` of the verified chain in
/// a new buffer (`*out_der`, freed with `notation_buffer_free`), for
/// anything the accessors above do not cover. Availability as for
/// `notation_verdict_certificate_count`.
///
/// # Safety
/// `verdict` must be a live verdict; `out_der` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_verdict_certificate_der(
    verdict: *const notation_verdict,
    index: usize,
    out_der: *mut *mut notation_buffer,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees verdict and out_der.
        let (verdict, out) = unsafe { (handle(verdict, "verdict")?, Out::new(out_der, "out_der")?) };
        let der = verdict.with(|v| certificate(v, index).map(|c| c.der().to_vec()))?;
        out.write(into_handle(notation_buffer::new(der)));
        Ok(())
    }
}
