use super::*;
use std::collections::HashSet;
use std::future::Future;
use std::task::Poll;

fn pool(n: usize) -> GpuPool {
    GpuPool::new((0..n).map(|i| i.to_string()).collect())
}

fn devices(ids: &[&str]) -> GpuRequest {
    GpuRequest::Devices(ids.iter().map(|s| s.to_string()).collect())
}

/// Polls a future once: whether it is still waiting.
async fn is_pending<F: Future + Unpin>(future: &mut F) -> bool {
    std::future::poll_fn(|cx| Poll::Ready(std::pin::Pin::new(&mut *future).poll(cx).is_pending())).await
}

#[tokio::test]
async fn two_jobs_of_two_on_four_gpus_get_disjoint_devices() {
    let pool = pool(4);
    let a = pool.lease(&GpuRequest::Count(2)).await;
    let b = pool.lease(&GpuRequest::Count(2)).await;
    assert_eq!(a.ids(), ["0", "1"]);
    assert_eq!(b.ids(), ["2", "3"]);
}

#[tokio::test]
async fn a_third_job_waits_until_a_lease_ends() {
    let pool = pool(4);
    let a = pool.lease(&GpuRequest::Count(2)).await;
    let b = pool.lease(&GpuRequest::Count(2)).await;
    let mut third = Box::pin(pool.lease(&GpuRequest::Count(2)));
    assert!(is_pending(&mut third).await);
    assert!(pool.try_lease(&GpuRequest::Count(1)).is_none());
    drop(a);
    let c = third.await;
    assert_eq!(c.ids(), ["0", "1"]);
    drop(b);
    assert_eq!(pool.try_lease(&GpuRequest::Count(2)).unwrap().ids(), ["2", "3"]);
}

#[tokio::test]
async fn all_takes_every_device_and_waits_for_all_of_them() {
    let pool = pool(3);
    let one = pool.try_lease(&GpuRequest::Count(1)).unwrap();
    assert!(pool.try_lease(&GpuRequest::All).is_none());
    let mut all = Box::pin(pool.lease(&GpuRequest::All));
    assert!(is_pending(&mut all).await);
    drop(one);
    let all = all.await;
    assert_eq!(all.ids(), ["0", "1", "2"]);
    assert!(pool.try_lease(&GpuRequest::Count(1)).is_none());
    drop(all);
    assert_eq!(pool.try_lease(&GpuRequest::All).unwrap().ids(), ["0", "1", "2"]);
}

#[tokio::test]
async fn devices_take_exactly_those() {
    let pool = pool(4);
    let lease = pool.try_lease(&devices(&["3", "1"])).unwrap();
    assert_eq!(lease.ids(), ["3", "1"]);
    assert!(pool.try_lease(&devices(&["1"])).is_none());
    assert_eq!(pool.try_lease(&GpuRequest::Count(2)).unwrap().ids(), ["0", "2"]);
    assert!(pool.try_lease(&devices(&["9"])).is_none());
}

#[tokio::test]
async fn uuids_work_like_indexes() {
    let pool = GpuPool::new(vec!["GPU-aaa".into(), "GPU-bbb".into()]);
    let lease = pool.lease(&devices(&["GPU-bbb"])).await;
    assert_eq!(lease.ids(), ["GPU-bbb"]);
    assert_eq!(pool.lease(&GpuRequest::Count(1)).await.ids(), ["GPU-aaa"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_leases_never_share_a_device() {
    let pool = pool(4);
    let in_use = Arc::new(Mutex::new(HashSet::new()));
    let mut jobs = Vec::new();
    for job in 0..40u32 {
        let (pool, in_use) = (pool.clone(), Arc::clone(&in_use));
        jobs.push(tokio::spawn(async move {
            let request = match job % 4 {
                0 => GpuRequest::Count(1),
                1 => GpuRequest::Count(3),
                2 => GpuRequest::All,
                _ => devices(&["1", "2"]),
            };
            let lease = pool.lease(&request).await;
            for id in lease.ids() {
                assert!(in_use.lock().unwrap().insert(id.clone()), "{id} leased twice");
            }
            tokio::task::yield_now().await;
            for id in lease.ids() {
                in_use.lock().unwrap().remove(id);
            }
        }));
    }
    for job in jobs {
        job.await.unwrap();
    }
    assert_eq!(pool.try_lease(&GpuRequest::All).unwrap().ids().len(), 4);
}

#[test]
fn check_refuses_what_the_inventory_cannot_give() {
    let pool = pool(4);
    assert_eq!(
        pool.check(&GpuRequest::Count(8)),
        Err("job asks for 8 GPUs but the inventory has 4 (0,1,2,3)".to_string())
    );
    assert_eq!(
        pool.check(&devices(&["1", "7"])),
        Err("job asks for GPU 7 but the inventory has 4 (0,1,2,3)".to_string())
    );
    assert_eq!(
        GpuPool::new(Vec::new()).check(&GpuRequest::Count(1)),
        Ok(()),
        "without an inventory Docker decides"
    );
    assert_eq!(
        GpuPool::new(vec!["0".into()]).check(&GpuRequest::Count(2)),
        Err("job asks for 2 GPUs but the inventory has 1 (0)".to_string())
    );
    assert_eq!(pool.check(&GpuRequest::Count(4)), Ok(()));
    assert_eq!(pool.check(&GpuRequest::All), Ok(()));
    assert_eq!(pool.check(&devices(&["0", "3"])), Ok(()));
    assert_eq!(pool.total(), 4);
}

#[test]
fn assignment_uses_the_lease_or_passes_the_request_through() {
    let pool = pool(4);
    let lease = pool.try_lease(&GpuRequest::Count(2)).unwrap();
    assert_eq!(
        assignment(&GpuRequest::Count(2), Some(&lease)),
        GpuAssignment::Devices(vec!["0".into(), "1".into()])
    );
    assert_eq!(assignment(&GpuRequest::Count(2), None), GpuAssignment::Count(2));
    assert_eq!(assignment(&GpuRequest::All, None), GpuAssignment::Count(-1));
    assert_eq!(
        assignment(&devices(&["0", "1"]), None),
        GpuAssignment::Devices(vec!["0".into(), "1".into()])
    );
}
