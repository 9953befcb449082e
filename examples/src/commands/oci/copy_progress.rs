//! The progress display of `notation copy` on a terminal: a bar per blob
//! being transferred and one for the total bytes, drawn on standard error
//! with indicatif. The command draws it only when standard error is a
//! terminal (and no `-v`/`-d` log is written there).

use std::collections::HashMap;
use std::sync::Mutex;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use notation_oci::copy::{CopyEvent, CopyProgress};

/// The bars.
pub struct ProgressDisplay {
    multi: MultiProgress,
    total: ProgressBar,
    /// The bar of each blob in transfer, and the bytes it had reached.
    blobs: Mutex<HashMap<String, (ProgressBar, u64)>>,
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

/// `sha256:0123456789ab`: enough of a digest to tell blobs apart.
fn short(digest: &str) -> String {
    digest.chars().take(19).collect()
}

impl ProgressDisplay {
    /// Bars on standard error (indicatif hides them when it is not a
    /// terminal).
    pub fn new() -> Self {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let total = multi.add(ProgressBar::new(0));
        total.set_style(style(
            "{msg:>19} [{bar:30}] {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} eta {eta}",
        ));
        total.set_message("total");
        Self {
            multi,
            total,
            blobs: Mutex::new(HashMap::new()),
        }
    }

    /// Removes the bars.
    pub fn finish(&self) {
        for (bar, _) in self
            .blobs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain()
            .map(|(_, v)| v)
        {
            bar.finish_and_clear();
        }
        self.total.finish_and_clear();
        let _ = self.multi.clear();
    }
}

impl Default for ProgressDisplay {
    fn default() -> Self {
        Self::new()
    }
}

impl CopyProgress for ProgressDisplay {
    fn event(&self, event: &CopyEvent<'_>) {
        let mut blobs = self.blobs.lock().unwrap_or_else(|p| p.into_inner());
        match *event {
            CopyEvent::Planned { bytes, .. } => self.total.set_length(bytes),
            CopyEvent::BlobStarted { descriptor } => {
                let bar = self
                    .multi
                    .insert_before(&self.total, ProgressBar::new(descriptor.size));
                bar.set_style(style(
                    "{msg:>19} [{bar:30}] {binary_bytes}/{binary_total_bytes}",
                ));
                bar.set_message(short(&descriptor.digest));
                blobs.insert(descriptor.digest.clone(), (bar, 0));
            }
            CopyEvent::BlobProgress {
                descriptor,
                transferred,
            } => {
                if let Some((bar, reached)) = blobs.get_mut(&descriptor.digest) {
                    bar.set_position(transferred);
                    self.total.inc(transferred.saturating_sub(*reached));
                    *reached = transferred.max(*reached);
                }
            }
            // Skipped and mounted blobs count as done too.
            CopyEvent::BlobDone { descriptor, .. } => {
                let reached = match blobs.remove(&descriptor.digest) {
                    Some((bar, reached)) => {
                        bar.finish_and_clear();
                        reached
                    }
                    None => 0,
                };
                self.total.inc(descriptor.size.saturating_sub(reached));
            }
            _ => {}
        }
    }
}
