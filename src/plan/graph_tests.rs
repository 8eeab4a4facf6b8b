//! The job graph against GitHub's and actionlint's cases.

use super::graph::build;
use super::graph_error::{cycle_text, GraphError};

fn jobs(spec: &[(&str, &[&str])]) -> Vec<(String, Vec<String>)> {
    spec.iter()
        .map(|(id, needs)| (id.to_string(), needs.iter().map(|n| n.to_string()).collect()))
        .collect()
}

fn strings(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

#[test]
fn actionlint_minimal_cycle() {
    // actionlint testdata/err/minimal_cycle_in_needs.yaml
    let errors = build(&jobs(&[("from", &["to"]), ("to", &["from"])])).unwrap_err();
    assert_eq!(
        errors,
        [
            GraphError::Cycle {
                job: "to".into(),
                index: 0,
                cycle: strings(&["from", "to", "from"]),
            },
            GraphError::NoRoot,
        ]
    );
    let GraphError::Cycle { cycle, .. } = &errors[0] else {
        unreachable!()
    };
    assert_eq!(cycle_text(cycle), r#""from" -> "to" -> "from""#);
}

#[test]
fn actionlint_random_order_cycle() {
    // actionlint testdata/err/random_order_cycle_in_needs.yaml
    let errors = build(&jobs(&[("a", &["b"]), ("c", &["d"]), ("d", &["a"]), ("b", &["c"])])).unwrap_err();
    let GraphError::Cycle { job, index, cycle } = &errors[0] else {
        panic!("expected a cycle, got {errors:?}")
    };
    assert_eq!((job.as_str(), *index), ("d", 0));
    assert_eq!(cycle_text(cycle), r#""a" -> "b" -> "c" -> "d" -> "a""#);
    assert_eq!(errors[1..], [GraphError::NoRoot]);
}

#[test]
fn language_services_cycle_with_a_root() {
    // actions/languageservices testdata reader/errors-job-needs-cycle.yml
    let errors = build(&jobs(&[("one", &[]), ("two", &["one", "three"]), ("three", &["two"])])).unwrap_err();
    assert_eq!(
        errors,
        [GraphError::Cycle {
            job: "three".into(),
            index: 0,
            cycle: strings(&["two", "three", "two"]),
        }]
    );
    assert_eq!(
        errors[0].to_string(),
        r#"Job 'three' depends on job 'two' which creates a cycle in the dependency graph: "two" -> "three" -> "two""#
    );
}

#[test]
fn a_job_needing_itself_is_a_cycle() {
    let errors = build(&jobs(&[("root", &[]), ("a", &["root", "a"])])).unwrap_err();
    assert_eq!(
        errors,
        [GraphError::Cycle {
            job: "a".into(),
            index: 1,
            cycle: strings(&["a", "a"]),
        }]
    );
}

#[test]
fn every_distinct_cycle_is_reported_once_in_position_order() {
    let errors = build(&jobs(&[
        ("root", &[]),
        ("a", &["b"]),
        ("b", &["a", "c"]),
        ("c", &["b"]),
        ("x", &["y", "a"]),
        ("y", &["x"]),
    ]))
    .unwrap_err();
    assert_eq!(
        errors,
        [
            GraphError::Cycle {
                job: "b".into(),
                index: 0,
                cycle: strings(&["a", "b", "a"]),
            },
            GraphError::Cycle {
                job: "c".into(),
                index: 0,
                cycle: strings(&["b", "c", "b"]),
            },
            GraphError::Cycle {
                job: "y".into(),
                index: 0,
                cycle: strings(&["x", "y", "x"]),
            },
        ]
    );
}

#[test]
fn every_unknown_job_is_reported_with_a_suggestion_when_close() {
    let errors = build(&jobs(&[
        ("build", &[]),
        ("test", &["biuld", "deploy"]),
        ("package", &["tset"]),
    ]))
    .unwrap_err();
    assert_eq!(
        errors,
        [
            GraphError::UnknownJob {
                job: "test".into(),
                index: 0,
                unknown: "biuld".into(),
                suggestion: Some("build".into()),
            },
            GraphError::UnknownJob {
                job: "test".into(),
                index: 1,
                unknown: "deploy".into(),
                suggestion: None,
            },
            GraphError::UnknownJob {
                job: "package".into(),
                index: 0,
                unknown: "tset".into(),
                suggestion: Some("test".into()),
            },
        ]
    );
    assert_eq!(
        errors[0].to_string(),
        "Job 'test' depends on unknown job 'biuld'. Did you mean 'build'?"
    );
    assert_eq!(errors[1].to_string(), "Job 'test' depends on unknown job 'deploy'.");
}

#[test]
fn no_job_without_needs_is_an_error() {
    let errors = build(&jobs(&[("a", &["missing"])])).unwrap_err();
    assert_eq!(errors.last(), Some(&GraphError::NoRoot));
    assert_eq!(
        GraphError::NoRoot.to_string(),
        "The workflow must contain at least one job with no dependencies."
    );
}

#[test]
fn diamond_orders_and_relates_jobs() {
    let graph = build(&jobs(&[("a", &[]), ("b", &["a"]), ("c", &["a"]), ("d", &["c", "b"])])).unwrap();
    assert_eq!(graph.order(), [0, 1, 2, 3]);
    assert_eq!(graph.needs(3), [2, 1]);
    assert_eq!(graph.dependents(0), [1, 2]);
    assert_eq!(graph.dependents(3), [] as [usize; 0]);
    assert_eq!(graph.ancestors(3), [0, 1, 2]);
    assert_eq!(graph.ancestors(0), [] as [usize; 0]);
}

#[test]
fn ties_go_to_the_job_declared_first() {
    let graph = build(&jobs(&[("x", &["y"]), ("y", &[]), ("z", &[])])).unwrap();
    assert_eq!(graph.order(), [1, 0, 2]);
}

#[test]
fn needs_match_ignoring_case_and_repeats_collapse() {
    let graph = build(&jobs(&[("Build", &[]), ("test", &["BUILD", "build"])])).unwrap();
    assert_eq!(graph.needs(1), [0]);
    assert_eq!(graph.index_of("TEST"), Some(1));
    assert_eq!(graph.id(0), Some("Build"));
}

#[test]
fn out_of_range_jobs_have_no_relations() {
    let graph = build(&jobs(&[("a", &[])])).unwrap();
    assert!(graph.needs(7).is_empty());
    assert!(graph.dependents(7).is_empty());
    assert!(graph.ancestors(7).is_empty());
    assert_eq!(graph.id(7), None);
}

#[test]
fn no_jobs_is_an_empty_graph() {
    let graph = build(&[]).unwrap();
    assert!(graph.is_empty());
    assert!(graph.order().is_empty());
}

fn chain(n: usize, forward: bool) -> Vec<(String, Vec<String>)> {
    (0..n)
        .map(|i| {
            let need = if forward {
                i.checked_sub(1)
            } else {
                Some(i + 1).filter(|&j| j < n)
            };
            (format!("j{i}"), need.map(|j| format!("j{j}")).into_iter().collect())
        })
        .collect()
}

#[test]
fn a_thousand_job_chain_does_not_overflow() {
    let graph = build(&chain(1000, true)).unwrap();
    assert_eq!(graph.order(), (0..1000).collect::<Vec<_>>());
    assert_eq!(graph.ancestors(999).len(), 999);

    // Declared last-first, so the search from the first job goes 1,000 deep.
    let graph = build(&chain(1000, false)).unwrap();
    assert_eq!(graph.order(), (0..1000).rev().collect::<Vec<_>>());
}

#[test]
fn a_thousand_job_cycle_is_reported_whole() {
    let mut spec = chain(1000, false);
    spec[999].1 = vec!["j0".into()];
    spec.push(("root".into(), Vec::new()));
    let errors = build(&spec).unwrap_err();
    assert_eq!(errors.len(), 1);
    let GraphError::Cycle { job, index, cycle } = &errors[0] else {
        panic!("expected a cycle")
    };
    assert_eq!((job.as_str(), *index), ("j999", 0));
    assert_eq!(cycle.len(), 1001);
    assert_eq!((cycle[0].as_str(), cycle[1000].as_str()), ("j0", "j0"));
}
