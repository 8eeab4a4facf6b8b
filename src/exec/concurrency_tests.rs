//! Concurrency groups: one running, one waiting, newer replaces older.

use super::*;

fn admitted(admission: Admission) -> GroupSlot {
    match admission {
        Admission::Admitted(slot) => slot,
        Admission::Superseded => panic!("superseded"),
        Admission::Cancelled => panic!("cancelled"),
    }
}

#[tokio::test]
async fn a_second_job_waits_for_the_first_and_a_third_replaces_it() {
    let groups = ConcurrencyGroups::default();
    let first = admitted(groups.enter("deploy", false, &CancellationToken::new()).await);
    let second = tokio::spawn({
        let groups = groups.clone();
        async move { groups.enter("deploy", false, &CancellationToken::new()).await }
    });
    tokio::task::yield_now().await;
    assert!(!second.is_finished(), "the second waits while the first runs");
    let third = tokio::spawn({
        let groups = groups.clone();
        async move { groups.enter("deploy", false, &CancellationToken::new()).await }
    });
    assert!(matches!(second.await.unwrap(), Admission::Superseded));
    drop(first);
    let third = admitted(third.await.unwrap());
    drop(third);
    // The group is free again.
    drop(admitted(groups.enter("deploy", false, &CancellationToken::new()).await));
}

#[tokio::test]
async fn cancel_in_progress_cancels_the_running_job() {
    let groups = ConcurrencyGroups::default();
    let running = CancellationToken::new();
    let first = admitted(groups.enter("g", false, &running).await);
    let newer = tokio::spawn({
        let groups = groups.clone();
        async move { groups.enter("g", true, &CancellationToken::new()).await }
    });
    running.cancelled().await;
    // The cancelled job ends, which lets the newer one in.
    drop(first);
    drop(admitted(newer.await.unwrap()));
}

#[tokio::test]
async fn groups_of_two_repositories_never_meet() {
    let groups = ConcurrencyGroups::default();
    let a = groups.scoped("repo-a");
    let b = groups.scoped("repo-b");
    let held = CancellationToken::new();
    let _a = admitted(a.enter("ci", true, &held).await);
    let _b = admitted(b.enter("ci", true, &CancellationToken::new()).await);
    assert!(!held.is_cancelled(), "repo-b's job cancelled repo-a's");
}

#[tokio::test]
async fn a_job_cancelled_while_waiting_leaves_the_group() {
    let groups = ConcurrencyGroups::default();
    let first = admitted(groups.enter("g", false, &CancellationToken::new()).await);
    let waiting = CancellationToken::new();
    let second = tokio::spawn({
        let (groups, waiting) = (groups.clone(), waiting.clone());
        async move { groups.enter("g", false, &waiting).await }
    });
    tokio::task::yield_now().await;
    waiting.cancel();
    assert!(matches!(second.await.unwrap(), Admission::Cancelled));
    drop(first);
    assert!(groups.lock().is_empty(), "nothing left in the group");
}
