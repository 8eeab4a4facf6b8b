//! GPU inventory and leases. A job that asks for GPUs holds a [`GpuLease`]
//! on devices from the [`GpuPool`] while it runs, so two jobs never share a
//! device; a job that asks for more than is free waits for a lease to end.

mod inventory;

pub use inventory::{parse_inventory, parse_nvidia_smi_list};

use crate::backend::{GpuAssignment, GpuRequest};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::Notify;

/// The machine's GPUs and which of them are leased. Clones share the pool.
#[derive(Clone, Debug)]
pub struct GpuPool {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    ids: Vec<String>,
    /// `leased[i]` says whether `ids[i]` is held by a lease.
    leased: Mutex<Vec<bool>>,
    /// Told whenever a lease ends, so waiting jobs look again.
    freed: Notify,
}

impl Shared {
    fn leased(&self) -> MutexGuard<'_, Vec<bool>> {
        // The flags are always consistent (each update is one assignment), so a
        // panic elsewhere while the lock was held leaves nothing to repair.
        self.leased.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl GpuPool {
    /// A pool of these device ids (indexes or UUIDs), in the order devices
    /// are handed out. An empty pool means no inventory: requests pass
    /// through to Docker as counts (see [`assignment`]).
    pub fn new(ids: Vec<String>) -> GpuPool {
        let leased = Mutex::new(vec![false; ids.len()]);
        GpuPool {
            shared: Arc::new(Shared {
                ids,
                leased,
                freed: Notify::new(),
            }),
        }
    }

    pub fn total(&self) -> usize {
        self.shared.ids.len()
    }

    /// Whether the inventory can ever satisfy `request`, checked when the
    /// run is planned so that no job waits for devices that do not exist.
    /// Without an inventory every request passes (Docker decides).
    pub fn check(&self, request: &GpuRequest) -> Result<(), String> {
        let ids = &self.shared.ids;
        if ids.is_empty() {
            return Ok(());
        }
        let inventory = || format!("the inventory has {} ({})", ids.len(), ids.join(","));
        match request {
            GpuRequest::All => Ok(()),
            GpuRequest::Count(n) if *n as usize > ids.len() => Err(format!(
                "job asks for {n} GPU{} but {}",
                if *n == 1 { "" } else { "s" },
                inventory()
            )),
            GpuRequest::Count(_) => Ok(()),
            GpuRequest::Devices(wanted) => match wanted.iter().find(|id| !ids.contains(id)) {
                Some(missing) => Err(format!("job asks for GPU {missing} but {}", inventory())),
                None => Ok(()),
            },
        }
    }

    /// A lease on the devices `request` asks for, if they are free now:
    /// `Count(n)` takes the `n` first free devices, `All` every device,
    /// `Devices` exactly those.
    pub fn try_lease(&self, request: &GpuRequest) -> Option<GpuLease> {
        let mut leased = self.shared.leased();
        let ids = &self.shared.ids;
        let slots: Vec<usize> = match request {
            GpuRequest::Count(n) => {
                let free: Vec<usize> = (0..ids.len()).filter(|&i| !leased[i]).take(*n as usize).collect();
                if free.len() < *n as usize {
                    return None;
                }
                free
            }
            GpuRequest::All => {
                if ids.is_empty() || leased.iter().any(|&l| l) {
                    return None;
                }
                (0..ids.len()).collect()
            }
            GpuRequest::Devices(wanted) => {
                let slots: Option<Vec<usize>> = wanted.iter().map(|id| ids.iter().position(|i| i == id)).collect();
                let slots = slots?;
                if slots.iter().any(|&i| leased[i]) {
                    return None;
                }
                slots
            }
        };
        for &i in &slots {
            leased[i] = true;
        }
        Some(GpuLease {
            ids: slots.iter().map(|&i| ids[i].clone()).collect(),
            slots,
            shared: Arc::clone(&self.shared),
        })
    }

    /// Waits until the devices `request` asks for are free and leases them.
    /// A request that [`GpuPool::check`] refuses never gets a lease, so check
    /// first; and with an empty pool there is nothing to lease: pass the
    /// request through with [`assignment`]`(request, None)`.
    pub async fn lease(&self, request: &GpuRequest) -> GpuLease {
        loop {
            // Register for the wake-up before looking, so a lease that ends
            // between the look and the wait is not missed.
            let freed = self.shared.freed.notified();
            tokio::pin!(freed);
            freed.as_mut().enable();
            if let Some(lease) = self.try_lease(request) {
                return lease;
            }
            freed.await;
        }
    }
}

/// Devices held by one job; they go back to the pool when this is dropped.
pub struct GpuLease {
    ids: Vec<String>,
    slots: Vec<usize>,
    shared: Arc<Shared>,
}

impl GpuLease {
    /// The leased device ids, in inventory order (for `Devices`, as asked).
    pub fn ids(&self) -> &[String] {
        &self.ids
    }
}

impl fmt::Debug for GpuLease {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.debug_tuple("GpuLease").field(&self.ids).finish()
    }
}

impl Drop for GpuLease {
    fn drop(&mut self) {
        let mut leased = self.shared.leased();
        for &i in &self.slots {
            leased[i] = false;
        }
        drop(leased);
        self.shared.freed.notify_waiters();
    }
}

/// What a job's container gets for `request`: the leased devices, or with
/// no inventory (no lease) the request itself, as `docker run --gpus` would
/// send it (`-1` is Docker's count for all).
pub fn assignment(request: &GpuRequest, lease: Option<&GpuLease>) -> GpuAssignment {
    match (lease, request) {
        (Some(lease), _) => GpuAssignment::Devices(lease.ids().to_vec()),
        (None, GpuRequest::Count(n)) => GpuAssignment::Count(i64::from(*n)),
        (None, GpuRequest::All) => GpuAssignment::Count(-1),
        (None, GpuRequest::Devices(ids)) => GpuAssignment::Devices(ids.clone()),
    }
}

#[cfg(test)]
mod tests;
