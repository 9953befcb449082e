//! Copying an artifact with its signatures between registries and OCI
//! layouts (`notation_copy`), its options (`notation_copy_options`, with a
//! progress callback) and its report (`notation_copy_report`).

use std::ffi::{CString, c_char, c_void};
use std::sync::{Mutex, MutexGuard};

use notation_oci::copy::{self, CopyError, CopyEvent, CopyOptions, CopyProgress, CopyReport};
use notation_oci::graph::GraphLimits;
use notation_oci::layout::{OciLayout, parse_layout_destination, parse_layout_reference};
use notation_oci::store::ContentStore;
use notation_oci::{Reference, RemoteRepository};

use crate::buffer::write_str;
use crate::config::notation_config;
use crate::error::{Error, graph_code, notation_result, repository_code};
use crate::ffi::{Out, free_handle, handle, into_handle, string};
use crate::target::registry_client_with;

/// Where one side of a copy is.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum notation_store_kind {
    /// A registry repository: `registry/repository:tag` or `...@digest`.
    Registry = 1,
    /// An OCI image layout directory: `<path>:<tag>` or `<path>@<digest>`
    /// (a destination may leave out the tag; it is created when missing).
    OciLayout = 2,
}

/// What `notation_copy_report_count` counts.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum notation_copy_count {
    /// Manifests stored at the destination.
    ManifestsCopied = 1,
    /// Manifests the destination had.
    ManifestsSkipped = 2,
    /// Blobs transferred.
    BlobsCopied = 3,
    /// Blobs mounted from another repository of the same registry.
    BlobsMounted = 4,
    /// Blobs the destination had.
    BlobsSkipped = 5,
    /// Notary signatures the artifact has at the destination after the copy.
    Signatures = 6,
    /// Other referrers likewise (with all referrers copied).
    Referrers = 7,
    /// Bytes transferred (blobs and manifests).
    Bytes = 8,
    /// Non-distributable ("foreign") layers, by media type: not copied.
    BlobsForeign = 9,
}

/// What a progress callback is told.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum notation_copy_event {
    /// The source was read: `done` is the number of manifests, `total` the
    /// bytes of the distinct blobs; `digest` is empty.
    Planned = 1,
    /// A blob transfer starts (`total` is its size).
    BlobStarted = 2,
    /// `done` bytes of the blob were transferred, of `total`.
    BlobProgress = 3,
    /// A blob is done (transferred, mounted or present): `done` = `total`.
    BlobDone = 4,
    /// A manifest is done (`total` is its size).
    ManifestDone = 5,
}

/// A progress callback: called on the thread running `notation_copy`,
/// between its requests, with the `user_data` given to
/// `notation_copy_options_set_progress`, an event (a
/// `notation_copy_event`), the digest concerned (a NUL-terminated string,
/// valid during the call only) and two counts. It must not unwind (C++
/// exceptions, `longjmp`) across the library.
pub type notation_copy_progress_fn = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        event: u32,
        digest: *const c_char,
        done: u64,
        total: u64,
    ),
>;

#[derive(Clone, Copy)]
struct Callback {
    function: unsafe extern "C" fn(*mut c_void, u32, *const c_char, u64, u64),
    user_data: *mut c_void,
}

// SAFETY: the callback and its user data are the caller's; the
// documentation of `notation_copy_options_set_progress` makes the caller
// responsible for them being usable from the thread that calls
// `notation_copy`. The library only passes them back.
unsafe impl Send for Callback {}

impl CopyProgress for Callback {
    fn event(&self, event: &CopyEvent<'_>) {
        let (kind, digest, done, total) = match *event {
            CopyEvent::Planned {
                manifests, bytes, ..
            } => (notation_copy_event::Planned, "", manifests as u64, bytes),
            CopyEvent::BlobStarted { descriptor } => (
                notation_copy_event::BlobStarted,
                descriptor.digest.as_str(),
                0,
                descriptor.size,
            ),
            CopyEvent::BlobProgress {
                descriptor,
                transferred,
            } => (
                notation_copy_event::BlobProgress,
                descriptor.digest.as_str(),
                transferred,
                descriptor.size,
            ),
            CopyEvent::BlobDone { descriptor, .. } => (
                notation_copy_event::BlobDone,
                descriptor.digest.as_str(),
                descriptor.size,
                descriptor.size,
            ),
            CopyEvent::ManifestDone { descriptor, .. } => (
                notation_copy_event::ManifestDone,
                descriptor.digest.as_str(),
                descriptor.size,
                descriptor.size,
            ),
            _ => return,
        };
        // Digests were checked when parsed: no NUL inside.
        let Ok(digest) = CString::new(digest) else {
            return;
        };
        // SAFETY: the caller gave a function of this signature; the digest
        // lives for the call.
        unsafe { (self.function)(self.user_data, kind as u32, digest.as_ptr(), done, total) }
    }
}

#[derive(Clone, Copy, Default)]
struct CopySettings {
    all_referrers: bool,
    limits: GraphLimits,
    progress: Option<Callback>,
}

/// Options of `notation_copy`. Defaults: the artifact and the Notary
/// signatures of it and of every manifest it lists; at most 10 000
/// manifests, nesting 16 deep, 1 000 referrers per manifest; no progress
/// callback. Thread safety as `notation_sign_options`.
pub struct notation_copy_options {
    state: Mutex<CopySettings>,
}

impl notation_copy_options {
    fn lock(&self) -> MutexGuard<'_, CopySettings> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Creates copy options with the defaults.
///
/// # Safety
/// `out_options` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_copy_options_new(
    out_options: *mut *mut notation_copy_options,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees out_options.
        let out = unsafe { Out::new(out_options, "out_options")? };
        out.write(into_handle(notation_copy_options {
            state: Mutex::new(CopySettings::default()),
        }));
        Ok(())
    }
}

/// Copies every referrer of the artifact (SBOMs, attestations, ...) too,
/// recursively, with their signatures (default: only Notary signatures).
///
/// # Safety
/// `options` must be live options.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_copy_options_set_all_referrers(
    options: *mut notation_copy_options,
    all: bool,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees options.
        let options = unsafe { handle(options, "options")? };
        options.lock().all_referrers = all;
        Ok(())
    }
}

/// Bounds what the copy reads from the source: the manifests (at least 1),
/// the nesting depth (indexes in indexes, referrers of referrers; at most
/// 128) and the
/// referrers of one manifest. Past a bound the copy fails with
/// `NOTATION_RESULT_INPUT_TOO_LARGE` before anything is written.
///
/// # Safety
/// `options` must be live options.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_copy_options_set_limits(
    options: *mut notation_copy_options,
    max_manifests: usize,
    max_depth: usize,
    max_referrers: usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees options.
        let options = unsafe { handle(options, "options")? };
        options.lock().limits = GraphLimits::new()
            .max_manifests(max_manifests)
            .max_depth(max_depth)
            .max_referrers(max_referrers);
        Ok(())
    }
}

/// Sets the progress callback (NULL removes it); `user_data` is passed back
/// to it as is and may be NULL. The callback is called on the thread that
/// calls `notation_copy`, which must be able to use `user_data`. A
/// `notation_copy` already running keeps the callback and user data it
/// started with until it returns: free the user data only after that.
///
/// # Safety
/// `options` must be live options; `callback` NULL or a function of the
/// documented signature that stays callable while the options are used.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_copy_options_set_progress(
    options: *mut notation_copy_options,
    callback: notation_copy_progress_fn,
    user_data: *mut c_void,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees options.
        let options = unsafe { handle(options, "options")? };
        options.lock().progress = callback.map(|function| Callback { function, user_data });
        Ok(())
    }
}

/// Frees copy options and sets `*options` to NULL; NULL does nothing.
///
/// # Safety
/// `*options` must be NULL or live options not in use by another thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_copy_options_free(options: *mut *mut notation_copy_options) {
    ffi_guard_or! {
        (),
        // SAFETY: caller guarantees *options is NULL or live.
        unsafe { free_handle(options) }
    }
}

/// What a copy did (from `notation_copy`). Immutable: may be read from
/// many threads.
pub struct notation_copy_report {
    report: CopyReport,
}

/// One side of a copy, opened.
enum Side {
    Layout(OciLayout, Option<String>),
    Registry(Box<RemoteRepository>, Option<String>),
}

impl Side {
    fn store(&self) -> &dyn ContentStore {
        match self {
            Side::Layout(layout, _) => layout,
            Side::Registry(repo, _) => repo.as_ref(),
        }
    }

    fn reference(&self) -> Option<&str> {
        match self {
            Side::Layout(_, r) | Side::Registry(_, r) => r.as_deref(),
        }
    }

    fn open(
        config: Option<&notation_config>,
        kind: u32,
        raw: &str,
        destination: bool,
    ) -> Result<Self, Error> {
        let invalid = |detail: String| Error::new(notation_result::ReferenceInvalid, detail);
        match kind {
            1 => {
                let reference =
                    Reference::parse(raw).map_err(|e| invalid(format!("{raw:?}: {e}")))?;
                let tag_or_digest = reference.reference().map(str::to_string);
                if tag_or_digest.is_none() && !destination {
                    return Err(invalid(format!(
                        "{raw:?}: the source names no tag or digest"
                    )));
                }
                let client = registry_client_with(config, false)?;
                let repo = RemoteRepository::new(client, &reference)?;
                Ok(Side::Registry(Box::new(repo), tag_or_digest))
            }
            2 if destination => {
                let (path, reference) = parse_layout_destination(raw).map_err(invalid)?;
                let layout = OciLayout::create(&path).map_err(|e| {
                    Error::new(
                        notation_result::LayoutInvalid,
                        format!("{}: {e}", path.display()),
                    )
                })?;
                Ok(Side::Layout(layout, reference))
            }
            2 => {
                let (path, reference) = parse_layout_reference(raw).map_err(invalid)?;
                let layout = OciLayout::open(&path).map_err(|e| {
                    Error::new(
                        notation_result::LayoutInvalid,
                        format!("{}: {e}", path.display()),
                    )
                })?;
                Ok(Side::Layout(layout, Some(reference)))
            }
            other => Err(Error::invalid(format!(
                "unknown store kind {other} (expected NOTATION_STORE_KIND_REGISTRY or _OCI_LAYOUT)"
            ))),
        }
    }
}

impl From<CopyError> for Error {
    fn from(e: CopyError) -> Self {
        let code = match &e {
            CopyError::Source { error, .. } | CopyError::Destination { error, .. } => {
                repository_code(error)
            }
            CopyError::Content { .. } | CopyError::DigestMismatch { .. } => {
                notation_result::DigestMismatch
            }
            CopyError::Graph { error, .. } => graph_code(error),
            CopyError::InvalidTag(_) => notation_result::ReferenceInvalid,
            _ => notation_result::RepositoryError,
        };
        Error::new(code, e.to_string())
    }
}

/// Copies an artifact with its signatures, byte for byte, from `source` to
/// `destination`, each a registry repository or an OCI layout
/// (`source_kind`, `destination_kind`: a `notation_store_kind`): the
/// artifact (a manifest with its blobs, or an index with every manifest it
/// lists and their blobs) and every Notary signature of it and of its
/// manifests, or every referrer with `notation_copy_options_set_all_referrers`.
///
/// The source names a tag or a digest; the destination may name a tag (it
/// is written last), the source's digest, or neither (then the source's
/// tag, if it named one). A destination layout is created when missing.
/// Each side has its own registry client built from `config` (which may be
/// NULL; as for `notation_target_new_registry`, except that
/// `NOTATION_USERNAME`/`NOTATION_PASSWORD` are not used: they do not say
/// which registry they are for), so that credentials set for one registry
/// are never sent to the other. Every byte is checked against its digest
/// while it is copied; a failed copy leaves no tag at the destination, and
/// running it again completes it. `options` may be NULL (the defaults);
/// `out_report` may be NULL.
///
/// # Safety
/// `config` and `options` must be NULL or live; `source` and `destination`
/// NUL-terminated strings; `out_report` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_copy(
    config: *const notation_config,
    source_kind: u32,
    source: *const c_char,
    destination_kind: u32,
    destination: *const c_char,
    options: *const notation_copy_options,
    out_report: *mut *mut notation_copy_report,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees config, source, destination and options.
        let (config, source, destination, settings) = unsafe {
            (
                config.as_ref(),
                string(source, "source")?,
                string(destination, "destination")?,
                options.as_ref().map(|o| *o.lock()).unwrap_or_default(),
            )
        };
        let out = if out_report.is_null() {
            None
        } else {
            // SAFETY: non-NULL; caller guarantees it is writable.
            Some(unsafe { Out::new(out_report, "out_report")? })
        };
        let source = Side::open(config, source_kind, source, false)?;
        let destination = Side::open(config, destination_kind, destination, true)?;
        let mut copy_options = CopyOptions::new()
            .all_referrers(settings.all_referrers)
            .limits(settings.limits);
        if let Some(callback) = &settings.progress {
            copy_options = copy_options.progress(callback);
        }
        let report = copy::copy(
            source.store(),
            source.reference().expect("checked when opened"),
            destination.store(),
            destination.reference(),
            &copy_options,
        )?;
        if let Some(out) = out {
            out.write(into_handle(notation_copy_report { report }));
        }
        Ok(())
    }
}

/// Copies the digest of the artifact copied (the same at both ends).
/// Buffer rules as for `notation_result_text`.
///
/// # Safety
/// `report` must be a live report; `buf` writable for `len` bytes;
/// `out_needed` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_copy_report_digest(
    report: *const notation_copy_report,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees report, buf/len and out_needed.
        unsafe {
            let report = handle(report, "report")?;
            write_str(report.report.digest().unwrap_or_default(), buf, len, out_needed)
        }
    }
}

/// Copies the tag written at the destination; `NOTATION_RESULT_NOT_AVAILABLE`
/// when none was. Buffer rules as for `notation_result_text`.
///
/// # Safety
/// `report` must be a live report; `buf` writable for `len` bytes;
/// `out_needed` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_copy_report_tag(
    report: *const notation_copy_report,
    buf: *mut c_char,
    len: usize,
    out_needed: *mut usize,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees report.
        let report = unsafe { handle(report, "report")? };
        let tag = report.report.tag.as_deref().ok_or_else(|| {
            Error::new(notation_result::NotAvailable, "no tag was written at the destination")
        })?;
        // SAFETY: caller guarantees buf/len and out_needed.
        unsafe { write_str(tag, buf, len, out_needed) }
    }
}

/// Gives one count of the report (`what`, a `notation_copy_count`).
///
/// # Safety
/// `report` must be a live report; `out_value` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_copy_report_count(
    report: *const notation_copy_report,
    what: u32,
    out_value: *mut u64,
) -> notation_result {
    ffi_guard! {
        // SAFETY: caller guarantees report and out_value.
        let (report, out) = unsafe { (handle(report, "report")?, Out::new(out_value, "out_value")?) };
        let r = &report.report;
        let value = match what {
            1 => r.manifests_copied as u64,
            2 => r.manifests_skipped as u64,
            3 => r.blobs_copied as u64,
            4 => r.blobs_mounted as u64,
            5 => r.blobs_skipped as u64,
            6 => r.signatures as u64,
            7 => r.referrers as u64,
            8 => r.bytes,
            9 => r.blobs_foreign as u64,
            other => {
                return Err(Error::invalid(format!(
                    "unknown copy count {other} (expected a notation_copy_count)"
                )));
            }
        };
        out.write(value);
        Ok(())
    }
}

/// Frees a report and sets `*report` to NULL; NULL does nothing.
///
/// # Safety
/// `*report` must be NULL or a live report that no other thread is using.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn notation_copy_report_free(report: *mut *mut notation_copy_report) {
    ffi_guard_or! {
        (),
        // SAFETY: caller guarantees *report is NULL or live.
        unsafe { free_handle(report) }
    }
}
