//! GPU inventory and leases (stub).
