//! GPU inventory and leases (stub until the real one lands).

use super::backend::{GpuAssignment, GpuRequest};

#[derive(Clone, Debug, Default)]
pub struct GpuPool {
    ids: Vec<String>,
}

pub struct GpuLease {
    ids: Vec<String>,
}

impl GpuLease {
    pub fn ids(&self) -> &[String] {
        &self.ids
    }
}

impl GpuPool {
    pub fn new(ids: Vec<String>) -> GpuPool {
        GpuPool { ids }
    }
    pub fn total(&self) -> usize {
        self.ids.len()
    }
    pub fn check(&self, request: &GpuRequest) -> Result<(), String> {
        let _ = request;
        Ok(())
    }
    pub fn try_lease(&self, request: &GpuRequest) -> Option<GpuLease> {
        let _ = request;
        Some(GpuLease { ids: Vec::new() })
    }
    pub async fn lease(&self, request: &GpuRequest) -> GpuLease {
        let _ = request;
        GpuLease { ids: Vec::new() }
    }
}

pub fn assignment(request: &GpuRequest, lease: Option<&GpuLease>) -> GpuAssignment {
    let _ = (request, lease);
    GpuAssignment::None
}
