//! GPUs as Docker device requests: exactly what `docker run --gpus` sends.

use crate::backend::GpuAssignment;
use bollard::models::DeviceRequest;

/// `Devices(ids)` → `device_ids`; `Count(n)` → `count` (-1 for all); both
/// with the `nvidia` driver and the `gpu` capability. `None` asks for none.
pub(super) fn device_requests(gpus: &GpuAssignment) -> Option<Vec<DeviceRequest>> {
    let (count, device_ids) = match gpus {
        GpuAssignment::None => return None,
        GpuAssignment::Devices(ids) => (None, Some(ids.clone())),
        GpuAssignment::Count(n) => (Some(*n), None),
    };
    Some(vec![DeviceRequest {
        driver: Some("nvidia".into()),
        count,
        device_ids,
        capabilities: Some(vec![vec!["gpu".into()]]),
        options: None,
    }])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_count_and_none() {
        let ids = device_requests(&GpuAssignment::Devices(vec!["1".into(), "GPU-ab".into()])).unwrap();
        assert_eq!(
            serde_json::to_value(&ids).unwrap(),
            serde_json::json!([{"Driver": "nvidia", "DeviceIDs": ["1", "GPU-ab"], "Capabilities": [["gpu"]]}])
        );
        let all = device_requests(&GpuAssignment::Count(-1)).unwrap();
        assert_eq!(
            serde_json::to_value(&all).unwrap(),
            serde_json::json!([{"Driver": "nvidia", "Count": -1, "Capabilities": [["gpu"]]}])
        );
        assert_eq!(device_requests(&GpuAssignment::None), None);
    }
}
