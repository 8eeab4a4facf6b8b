//! Matrix expansion against GitHub's documented example and the act and
//! actionlint fixtures, leg by leg and key by key.

use serde_json::{json, Value};

use super::matrix::{expand, expand_named, MatrixLeg};
use super::matrix_error::MatrixError;
use super::matrix_spec::MatrixSpec;
use super::test_yaml::job_matrix;

fn spec(matrix: Value) -> MatrixSpec {
    MatrixSpec::from_json(&matrix).expect("a valid matrix")
}

/// Legs as ordered pairs: `IndexMap` equality ignores order, we do not.
fn pairs(legs: &[MatrixLeg]) -> Vec<Vec<(String, Value)>> {
    legs.iter()
        .map(|leg| leg.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .collect()
}

fn expected(legs: Value) -> Vec<Vec<(String, Value)>> {
    let Value::Array(legs) = legs else {
        return Vec::new();
    };
    legs.into_iter()
        .map(|leg| match leg {
            Value::Object(map) => map.into_iter().collect(),
            _ => Vec::new(),
        })
        .collect()
}

fn assert_legs(matrix: Value, legs: Value) {
    let got = expand(&spec(matrix)).expect("expands");
    assert_eq!(pairs(&got), expected(legs));
}

#[test]
fn documented_include_example_gives_six_legs() {
    // gha-semantics §3.2, from GitHub's docs (matrix-expand-with-include).
    assert_legs(
        json!({
            "fruit": ["apple", "pear"],
            "animal": ["cat", "dog"],
            "include": [
                {"color": "green"},
                {"color": "pink", "animal": "cat"},
                {"fruit": "apple", "shape": "circle"},
                {"fruit": "banana"},
                {"fruit": "banana", "animal": "cat"}
            ]
        }),
        json!([
            {"fruit": "apple", "animal": "cat", "color": "pink", "shape": "circle"},
            {"fruit": "apple", "animal": "dog", "color": "green", "shape": "circle"},
            {"fruit": "pear", "animal": "cat", "color": "pink"},
            {"fruit": "pear", "animal": "dog", "color": "green"},
            {"fruit": "banana"},
            {"fruit": "banana", "animal": "cat"}
        ]),
    );
}

/// nektos/act `pkg/model/testdata/strategy/push.yml` (MIT), as copied to the
/// corpus; the job keys that do not matter here are left out.
const ACT_STRATEGY: &str = r"
jobs:
  strategy-all:
    name: ${{ matrix.node-version }} | ${{ matrix.site }} | ${{ matrix.datacenter }}
    runs-on: ubuntu-latest
    strategy:
      fail-fast: false
      matrix:
        datacenter:
          - site-c
          - site-d
        exclude:
          - datacenter: site-d
            node-version: 14.x
            site: staging
        include:
          - php-version: 5.4
          - datacenter: site-a
            node-version: 10.x
            site: prod
          - datacenter: site-b
            node-version: 12.x
            site: dev
        node-version: [14.x, 16.x]
        site:
          - staging
      max-parallel: 2
";

#[test]
fn act_strategy_fixture_gives_cases_row_25() {
    assert_legs(
        job_matrix(ACT_STRATEGY, "strategy-all"),
        json!([
            {"datacenter": "site-c", "node-version": "14.x", "site": "staging", "php-version": 5.4},
            {"datacenter": "site-c", "node-version": "16.x", "site": "staging", "php-version": 5.4},
            {"datacenter": "site-d", "node-version": "16.x", "site": "staging", "php-version": 5.4},
            {"datacenter": "site-a", "node-version": "10.x", "site": "prod"},
            {"datacenter": "site-b", "node-version": "12.x", "site": "dev"}
        ]),
    );
}

#[test]
fn names_show_vector_values_but_not_merged_includes() {
    let named = expand_named(&spec(job_matrix(ACT_STRATEGY, "strategy-all")), "strategy-all").expect("expands");
    let names: Vec<_> = named.iter().map(|(_, name)| name.as_str()).collect();
    assert_eq!(
        names,
        [
            "strategy-all (site-c, 14.x, staging)",
            "strategy-all (site-c, 16.x, staging)",
            "strategy-all (site-d, 16.x, staging)",
            "strategy-all (site-a, 10.x, prod)",
            "strategy-all (site-b, 12.x, dev)",
        ]
    );
}

/// nektos/act `pkg/runner/testdata/matrix-include-exclude/push.yml` (MIT).
const ACT_INCLUDE_EXCLUDE: &str = r"
name: matrix-include-exclude
on: push

jobs:
  build:
    name: PHP ${{ matrix.os }} ${{ matrix.node}}
    runs-on: ${{ matrix.os }}
    steps:
      - run: echo ${NODE_VERSION} | grep ${{ matrix.node }}
        env:
          NODE_VERSION: ${{ matrix.node }}
    strategy:
      matrix:
        os: [ubuntu-18.04, macos-latest]
        node: [4, 6, 8, 10]
        exclude:
          - os: macos-latest
            node: 4
        include:
          - os: ubuntu-16.04
            node: 10

  test:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        node: [8.x, 10.x, 12.x, 13.x]
    steps:
      - run: echo ${NODE_VERSION} | grep ${{ matrix.node }}
        env:
          NODE_VERSION: ${{ matrix.node }}
";

#[test]
fn act_include_exclude_fixture_build_has_eight_legs() {
    assert_legs(
        job_matrix(ACT_INCLUDE_EXCLUDE, "build"),
        json!([
            {"os": "ubuntu-18.04", "node": 4},
            {"os": "ubuntu-18.04", "node": 6},
            {"os": "ubuntu-18.04", "node": 8},
            {"os": "ubuntu-18.04", "node": 10},
            {"os": "macos-latest", "node": 6},
            {"os": "macos-latest", "node": 8},
            {"os": "macos-latest", "node": 10},
            {"os": "ubuntu-16.04", "node": 10}
        ]),
    );
}

#[test]
fn act_include_exclude_fixture_test_has_four_legs() {
    assert_legs(
        job_matrix(ACT_INCLUDE_EXCLUDE, "test"),
        json!([{"node": "8.x"}, {"node": "10.x"}, {"node": "12.x"}, {"node": "13.x"}]),
    );
}

/// rhysd/actionlint `testdata/ok/issue-249_matrix_exclude_filter_object_subset.yaml` (MIT).
const ACTIONLINT_ISSUE_249: &str = r"
name: 'Regression test case for issue #249'
on: push

jobs:
  test:
    strategy:
      matrix:
        os:
          - name: Ubuntu
            matrix: ubuntu
          - name: Windows
            matrix: windows
        arch:
          - name: ARM
            matrix: arm
          - name: Intel
            matrix: intel
        exclude:
          # This should filter out { os: { name: Windows, matrix: windows }, arch: {name: ARM, matrix: arm } }
          - os:
              matrix: windows
            arch:
              matrix: arm
    runs-on: ubuntu-latest
    steps:
      - run: echo 'name is ${{ matrix.os.name }} and arch is ${{ matrix.arch.name }}'
";

#[test]
fn exclude_matches_objects_as_subsets() {
    let matrix = job_matrix(ACTIONLINT_ISSUE_249, "test");
    assert_legs(
        matrix.clone(),
        json!([
            {"os": {"name": "Ubuntu", "matrix": "ubuntu"}, "arch": {"name": "ARM", "matrix": "arm"}},
            {"os": {"name": "Ubuntu", "matrix": "ubuntu"}, "arch": {"name": "Intel", "matrix": "intel"}},
            {"os": {"name": "Windows", "matrix": "windows"}, "arch": {"name": "Intel", "matrix": "intel"}}
        ]),
    );
    let named = expand_named(&spec(matrix), "test").expect("expands");
    assert_eq!(named[0].1, "test (Ubuntu, ubuntu, ARM, arm)");
}

#[test]
fn language_services_strategy_example() {
    // actions/languageservices testdata reader/job-strategy.yml.
    assert_legs(
        json!({
            "node-version": [4, 6, 8, 10],
            "npm-version": [1, 2, 3],
            "include": [{"node-version": 4, "npm": 2}],
            "exclude": [{"node-version": 4, "npm-version": 2}]
        }),
        json!([
            {"node-version": 4, "npm-version": 1, "npm": 2},
            {"node-version": 4, "npm-version": 3, "npm": 2},
            {"node-version": 6, "npm-version": 1},
            {"node-version": 6, "npm-version": 2},
            {"node-version": 6, "npm-version": 3},
            {"node-version": 8, "npm-version": 1},
            {"node-version": 8, "npm-version": 2},
            {"node-version": 8, "npm-version": 3},
            {"node-version": 10, "npm-version": 1},
            {"node-version": 10, "npm-version": 2},
            {"node-version": 10, "npm-version": 3}
        ]),
    );
}

#[test]
fn include_only_matrix_gives_one_leg_per_entry() {
    assert_legs(
        json!({"include": [{"os": "linux", "gpu": 2}, {"os": "mac"}]}),
        json!([{"os": "linux", "gpu": 2}, {"os": "mac"}]),
    );
}

#[test]
fn include_can_readd_an_excluded_combination() {
    assert_legs(
        json!({
            "os": ["a", "b"],
            "n": [1, 2],
            "exclude": [{"os": "a", "n": 1}],
            "include": [{"os": "a", "n": 1, "extra": "y"}]
        }),
        json!([
            {"os": "a", "n": 2},
            {"os": "b", "n": 1},
            {"os": "b", "n": 2},
            {"os": "a", "n": 1, "extra": "y"}
        ]),
    );
}

#[test]
fn added_legs_are_never_merged_into() {
    assert_legs(
        json!({
            "os": ["a"],
            "include": [{"os": "b"}, {"color": "red"}]
        }),
        json!([{"os": "a", "color": "red"}, {"os": "b"}]),
    );
}

#[test]
fn include_keeps_the_vector_keys_first_in_an_added_leg() {
    assert_legs(
        json!({"os": ["a"], "include": [{"color": "red", "os": "b"}]}),
        json!([{"os": "a"}, {"os": "b", "color": "red"}]),
    );
}

#[test]
fn keys_and_string_values_match_ignoring_case_and_numbers_loosely() {
    assert_legs(
        json!({
            "os": ["Linux", "mac"],
            "node": [4, 6],
            "exclude": [{"OS": "MAC", "node": "6"}],
            "include": [{"Os": "linux", "node": "4", "big": true}]
        }),
        json!([
            {"os": "Linux", "node": 4, "big": true},
            {"os": "Linux", "node": 6},
            {"os": "mac", "node": 4}
        ]),
    );
}

#[test]
fn later_includes_overwrite_added_values_keeping_the_first_spelling() {
    assert_legs(
        json!({
            "os": ["a"],
            "include": [{"Color": "green"}, {"color": "pink"}]
        }),
        json!([{"os": "a", "Color": "pink"}]),
    );
}

#[test]
fn empty_vector_is_an_error() {
    let err = expand(&spec(json!({"os": [], "node": [1]}))).unwrap_err();
    assert_eq!(err.to_string(), "Matrix vector 'os' does not contain any values");
}

#[test]
fn a_matrix_needs_a_vector_or_an_include() {
    assert_eq!(expand(&spec(json!({"include": []}))), Err(MatrixError::NoVectors));
    assert_eq!(expand(&spec(json!({}))), Err(MatrixError::NoVectors));
}

#[test]
fn keys_equal_but_for_case_are_an_error() {
    assert_eq!(
        expand(&spec(json!({"os": [1], "OS": [2]}))),
        Err(MatrixError::DuplicateKey {
            key: "OS".into(),
            first: "os".into()
        })
    );
}

#[test]
fn malformed_filters_are_errors() {
    assert_eq!(
        expand(&spec(json!({"os": [1], "exclude": [{"arch": "x"}]}))),
        Err(MatrixError::UnknownExcludeKey {
            index: 0,
            key: "arch".into()
        })
    );
    assert_eq!(
        expand(&spec(json!({"os": [1], "exclude": [{"os": 1}, {}]}))),
        Err(MatrixError::EmptyExclude { index: 1 })
    );
    assert_eq!(
        expand(&spec(json!({"os": [1], "include": [{}]}))),
        Err(MatrixError::EmptyInclude { index: 0 })
    );
}

fn numbers(n: usize) -> Value {
    Value::Array((0..n).map(|i| json!(i)).collect())
}

#[test]
fn at_most_256_legs() {
    assert_eq!(
        expand(&spec(json!({"a": numbers(16), "b": numbers(16)}))).map(|l| l.len()),
        Ok(256)
    );
    assert_eq!(
        expand(&spec(json!({"a": numbers(16), "b": numbers(17)}))),
        Err(MatrixError::TooManyLegs { count: 272 })
    );
    let err = expand(&spec(
        json!({"a": numbers(16), "b": numbers(16), "include": [{"a": 99}]}),
    ));
    assert_eq!(err, Err(MatrixError::TooManyLegs { count: 257 }));
    assert_eq!(
        err.unwrap_err().to_string(),
        "Strategy produced 257 configurations which exceeds the maximum of 256 configurations"
    );
}

#[test]
fn excluded_legs_do_not_count_toward_the_limit() {
    let legs = expand(&spec(json!({
        "a": numbers(16),
        "b": numbers(17),
        "exclude": [{"b": 16}]
    })));
    assert_eq!(legs.map(|l| l.len()), Ok(256));
}

#[test]
fn a_huge_product_is_refused_without_walking_it() {
    let matrix: serde_json::Map<String, Value> = (0..10).map(|i| (format!("k{i}"), numbers(10))).collect();
    assert_eq!(
        expand(&spec(Value::Object(matrix))),
        Err(MatrixError::TooManyLegs { count: 10_000_000_000 })
    );
}

#[test]
fn a_large_product_that_excludes_cannot_shrink_is_refused_before_walking() {
    // 1000 x 1000 with one exclude that removes at most 1000 combinations.
    let legs = expand(&spec(
        json!({"a": numbers(1000), "b": numbers(1000), "exclude": [{"a": 0}]}),
    ));
    assert_eq!(legs, Err(MatrixError::TooManyLegs { count: 999_000 }));
}

#[test]
fn excludes_that_remove_all_but_a_few_legs_still_expand() {
    let excludes: Vec<Value> = (1..100).map(|a| json!({"a": a})).collect();
    let legs = expand(&spec(
        json!({"a": numbers(100), "b": numbers(100), "exclude": excludes}),
    ));
    assert_eq!(legs.map(|l| l.len()), Ok(100));
}
