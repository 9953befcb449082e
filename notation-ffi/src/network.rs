//! Network limits: the time and byte limits of registry work for targets
//! made from a configuration, and the time limit of a timestamp exchange.
//!
//! A registry operation (one sign, verify, list or inspect of a target)
//! shares one time limit over all its requests (redirects, token requests,
//! referrers pages, manifests, envelopes), 10 s of waiting on the network
//! by default, and one byte limit over its response bodies, 64 MiB by
//! default: a registry that drips, redirects or pages forever costs at most
//! that.

use std::sync::Arc;
use std::time::Duration;

use notation_oci::registry::RegistryClientOptions;
use notation_oci::tsa::HttpTimestamper;

use crate::config::notation_config;
use crate::error::{Error, notation_result};
use crate::ffi::handle;
use crate::options::notation_sign_options;

/// What a registry timeout error tells C and Go callers to raise.
const REGISTRY_TIMEOUT_HINT: &str =
    "raise it with notation_config_set_registry_timeout, in Go Config.SetRegistryTimeout";
/// What a timestamping timeout error tells C and Go callers to raise.
const TIMESTAMP_TIMEOUT_HINT: &str = "raise it with notation_sign_options_set_timestamping_timeout, in Go SignOptions.TimestampTimeout";

/// Registry limits of a configuration (`None`: the library's defaults).
#[derive(Clone, Debug, Default)]
pub(crate) struct NetworkSettings {
    pub(crate) registry_timeout: Option<Duration>,
    pub(crate) registry_max_bytes: Option<u64>,
}

impl NetworkSettings {
    /// The registry client options with these limits.
    pub(crate) fn apply(&self, options: RegistryClientOptions) -> RegistryClientOptions {
        let mut options = options.timeout_hint(REGISTRY_TIMEOUT_HINT);
        if let Some(t) = self.registry_timeout {
            options = options.operation_timeout(t);
        }
        if let Some(b) = self.registry_max_bytes {
            options = options.max_operation_bytes(b);
        }
        options
    }
}

/// The timestamper with its time limit (`None`: the default, 30 s).
pub(crate) fn timestamper_limits(
    timestamper: HttpTimestamper,
    timeout: Option<Duration>,
) -> Result<HttpTimestamper, Error> {
    let timestamper = timestamper.timeout_hint(TIMESTAMP_TIMEOUT_HINT);
    match timeout {
        None => Ok(timestamper),
        Some(t) => timestamper
            .timeout(t)
            .map_err(|e| Error::invalid(e.to_string())),
    }
}

/// Sets the time limit of each registry operation (one sign, verify, list
/// or inspect) of registry targets created with this configuration
/// afterwards, in milliseconds: the time its requests spend on the network,
/// summed over all of them (name lookups, connecting, waiting, reading
/// bodies; redirects, token requests and every page included). Past it the
/// call fails with `NOTATION_RESULT_REGISTRY_ERROR` (or, when verifying, the
/// signatures it could not fetch fail) and the error names the request
/// under way. 0 restores the default, 10 s.
///
/// # Safety
/// `config` must be a live configuration.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_config_set_registry_timeout(
    config: *mut notation_config,
    timeout_ms: u32,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees config.
        let config = unsafe { handle(config, "config")? };
        config.state().network.registry_timeout =
            (timeout_ms > 0).then(|| Duration::from_millis(u64::from(timeout_ms)));
        Ok(())
    }
}

/// Sets the most bytes of response bodies one registry operation of
/// registry targets created with this configuration afterwards may read,
/// all its requests together; past it the call fails. 0 restores the
/// default, 64 MiB (a signature envelope may be up to 32 MiB).
///
/// # Safety
/// `config` must be a live configuration.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_config_set_registry_max_bytes(
    config: *mut notation_config,
    max_bytes: u64,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees config.
        let config = unsafe { handle(config, "config")? };
        config.state().network.registry_max_bytes = (max_bytes > 0).then_some(max_bytes);
        Ok(())
    }
}

/// Sets the time limit of one timestamp exchange of signatures made with
/// these options, in milliseconds: name lookup, connecting, the request and
/// the whole response together. Applies to the timestamping set with
/// `notation_sign_options_set_timestamping`, before or after this call. 0
/// restores the default, 30 s.
///
/// # Safety
/// `options` must be live options.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_sign_options_set_timestamping_timeout(
    options: *mut notation_sign_options,
    timeout_ms: u32,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees options.
        let options = unsafe { handle(options, "options")? };
        let timeout = (timeout_ms > 0).then(|| Duration::from_millis(u64::from(timeout_ms)));
        let mut state = options.lock();
        state.timestamp_timeout = timeout;
        if let Some(current) = &state.timestamper {
            let timeout = timeout.unwrap_or(notation_oci::tsa::DEFAULT_TSA_TIMEOUT);
            let updated = timestamper_limits((**current).clone(), Some(timeout))?;
            state.timestamper = Some(Arc::new(updated));
        }
        Ok(())
    }
}
