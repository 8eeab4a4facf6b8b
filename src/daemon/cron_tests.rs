use super::config::{RepoConfig, RepoSource};
use super::cron::{check_schedules, CronReport};
use super::queue::Queue;
use super::repos::RepoHandle;
use crate::trigger::git::testing::TestRepo;
use chrono::{DateTime, TimeZone, Utc};

const NIGHTLY: &str = "on:\n  schedule:\n    - cron: '*/5 * * * *'\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n";

fn at(hour: u32, minute: u32, second: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, hour, minute, second)
        .single()
        .expect("a time")
}

fn found(times: &[&str]) -> Vec<(String, String, String, String)> {
    times
        .iter()
        .map(|t| {
            let time = format!("2026-11-23T{t}:00Z");
            (
                "vision".into(),
                ".github/workflows/nightly.yml".into(),
                "*/5 * * * *".into(),
                time,
            )
        })
        .collect()
}

#[test]
fn a_five_minute_schedule_fires_once_per_period_and_misses_what_passed_while_down() {
    let repo = TestRepo::new();
    repo.write(".github/workflows/nightly.yml", NIGHTLY);
    repo.commit("nightly");
    let store = tempfile::tempdir().expect("a temporary directory");
    let config = RepoConfig {
        name: "vision".into(),
        source: RepoSource::Path(repo.path().to_path_buf()),
        default_branch: Some("main".into()),
        workflows: ".github/workflows".into(),
        slug: "acme/vision".into(),
        allow: Vec::new(),
    };
    let handle = RepoHandle::open(&config, store.path()).expect("open the repository");
    let repos = [(&config, &handle)];
    let queue = Queue::open(store.path()).expect("open the queue");
    let check = |now, up| check_schedules(&queue, &repos, now, up).expect("check");

    assert_eq!(
        check(at(10, 1, 0), true),
        CronReport::default(),
        "a new store only sets its bookmark"
    );
    let report = check(at(10, 16, 30), true);
    assert_eq!(report.fired, found(&["10:05", "10:10", "10:15"]));
    assert_eq!(
        check(at(10, 16, 30), true),
        CronReport::default(),
        "the same period fires once"
    );
    assert_eq!(check(at(10, 19, 59), true), CronReport::default());
    assert_eq!(
        check(at(10, 20, 0), true),
        CronReport::default(),
        "[from, now): 10:20 is next"
    );
    assert_eq!(check(at(10, 20, 1), true).fired, found(&["10:20"]));

    // The daemon was down from 10:20 to 10:31: those fire times are missed.
    drop(queue);
    let queue = Queue::open(store.path()).expect("reopen the queue");
    let report = check_schedules(&queue, &repos, at(10, 31, 0), false).expect("check");
    assert_eq!(report.missed, found(&["10:25", "10:30"]));
    assert!(report.fired.is_empty());
    let report = check_schedules(&queue, &repos, at(10, 36, 0), true).expect("check");
    assert_eq!(report.fired, found(&["10:35"]));

    let events = queue.events(100).expect("list events");
    let fired: Vec<(&str, &str, String)> = events
        .iter()
        .rev()
        .map(|e| {
            (
                e.name.as_str(),
                e.git_ref.as_str(),
                e.payload.as_ref().map(|p| p.to_string()).unwrap_or_default(),
            )
        })
        .collect();
    let payload = r#"{"workflow":".github/workflows/nightly.yml","schedule":"*/5 * * * *"}"#.to_string();
    assert_eq!(fired, vec![("schedule", "refs/heads/main", payload); 5]);
    let statuses: Vec<String> = queue
        .fires("vision", ".github/workflows/nightly.yml")
        .expect("list fire times")
        .into_iter()
        .map(|(_, time, status)| format!("{} {status}", &time[11..16]))
        .collect();
    assert_eq!(
        statuses,
        [
            "10:05 fired",
            "10:10 fired",
            "10:15 fired",
            "10:20 fired",
            "10:25 missed",
            "10:30 missed",
            "10:35 fired"
        ]
    );
}
