//! Published actions as a user meets them, against the real Docker Engine:
//! a JavaScript action speaking `@actions/core`'s file protocol (inputs,
//! outputs, state, `pre` and `post`), a Docker action built from its
//! Dockerfile, a composite action that nests another pinned by SHA, the
//! action cache, offline runs, and a `container:` image without node. The
//! actions are bare git repositories made by the test and read through
//! `--actions-dir`; nothing is fetched from GitHub.

use crate::support::actions::Published;
use crate::support::docker::{docker_ready, RUNNER_IMAGE};
use crate::support::git::commit_all;
use crate::support::Test;
use std::path::Path;
use std::process::Command;
use tempfile::TempDir;

const GREET_ACTION: &str = "\
name: Greet
inputs:
  who:
    required: true
  fail:
    default: 'false'
  token:
    default: ${{ github.token }}
outputs:
  greeting:
    description: the greeting
runs:
  using: node20
  pre: pre.js
  main: main.js
  post: post.js
";

/// `@actions/core`'s file command: `name<<delimiter`, the value, the delimiter.
const CORE: &str = "\
const fs = require('fs');
const os = require('os');
exports.input = (name) => (process.env['INPUT_' + name.replace(/ /g, '_').toUpperCase()] || '').trim();
exports.file = (variable, name, value) => {
  const delimiter = 'ghadelimiter_' + require('crypto').randomUUID();
  fs.appendFileSync(process.env[variable], `${name}<<${delimiter}${os.EOL}${value}${os.EOL}${delimiter}${os.EOL}`);
};
";

const PRE: &str = "\
const core = require('./core.js');
core.file('GITHUB_STATE', 'pre', 'yes');
console.log('pre ran for ' + core.input('who'));
";

const MAIN: &str = "\
const core = require('./core.js');
const who = core.input('who');
console.log(`Hello ${who} from ${process.env.GITHUB_ACTION_REPOSITORY}@${process.env.GITHUB_ACTION_REF}, pre=${process.env.STATE_pre}`);
console.log(`token=${core.input('token')} dashed=${process.env['INPUT_WHO']}`);
core.file('GITHUB_OUTPUT', 'greeting', `Hello ${who}`);
core.file('GITHUB_STATE', 'main', 'ran');
core.file('GITHUB_ENV', 'GREETED', who);
if (core.input('fail') === 'true') {
  console.log('::error::failing as asked');
  process.exitCode = 1;
}
";

const POST: &str = "\
console.log(`post ran: pre=${process.env.STATE_pre} main=${process.env.STATE_main}`);
";

/// `ROOT/acme/greet.git`, tagged v1 and v1.2.0; returns the commit.
fn greet(root: &Path) -> String {
    let greet = Published::new(root, "acme/greet");
    let sha = greet.commit(&[
        ("action.yml", GREET_ACTION, false),
        ("core.js", CORE, false),
        ("pre.js", PRE, false),
        ("main.js", MAIN, false),
        ("post.js", POST, false),
    ]);
    greet.tag("v1", &sha);
    greet.tag("v1.2.0", &sha);
    sha
}

/// A repository with `workflow`, committed, and mlci's arguments to run
/// it with the actions under `actions` and the cache in `cache`.
fn repository(workflow: &str) -> Test {
    let test = Test::new().workflow("ci.yml", workflow);
    commit_all(test.path(), "main", "ci");
    test
}

fn run_args<'a>(actions: &'a TempDir, cache: &'a TempDir) -> Vec<String> {
    vec![
        "run".into(),
        "--actions-dir".into(),
        actions.path().display().to_string(),
        "--actions-cache".into(),
        cache.path().display().to_string(),
    ]
}

fn args(list: &[String]) -> Vec<&str> {
    list.iter().map(String::as_str).collect()
}

#[test]
fn a_javascript_action_runs_pre_main_and_post_with_inputs_outputs_and_state() {
    if !docker_ready() {
        return;
    }
    let (actions, cache) = (TempDir::new().unwrap(), TempDir::new().unwrap());
    let sha = greet(actions.path());
    let mut list = run_args(&actions, &cache);
    list.extend(["--secret".into(), "GITHUB_TOKEN=t0ken-s3cret".into()]);
    let output = repository(
        "
        on: push
        jobs:
          greet:
            runs-on: ubuntu-latest
            steps:
              - run: echo first
              - uses: acme/greet@v1
                id: hi
                with:
                  who: Mona
              - run: echo \"got=${{ steps.hi.outputs.greeting }} env=$GREETED\"
        ",
    )
    .args(&args(&list))
    .run();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().filter(|l| l.starts_with("[greet]")).collect();
    let expected = [
        "[greet] starting in mlci/runner:bookworm".to_string(),
        format!("[greet] Download action repository 'acme/greet@v1' (SHA:{sha})"),
        "[greet] ▶ Pre acme/greet@v1".into(),
        "[greet]   pre ran for Mona".into(),
        "[greet] ✓ Pre acme/greet@v1 (".into(),
        "[greet] ▶ Run echo first".into(),
        "[greet]   first".into(),
        "[greet] ✓ Run echo first (".into(),
        "[greet] ▶ acme/greet@v1".into(),
        "[greet]   Hello Mona from acme/greet@v1, pre=yes".into(),
        "[greet]   token=*** dashed=Mona".into(),
        "[greet] ✓ acme/greet@v1 (".into(),
        "[greet] ▶ Run echo \"got=${{ steps.hi.outputs.greeting }} env=$GREETED\"".into(),
        "[greet]   got=Hello Mona env=Mona".into(),
        "[greet] ✓ Run echo \"got=${{ steps.hi.outputs.greeting }} env=$GREETED\" (".into(),
        "[greet] ▶ Post acme/greet@v1".into(),
        "[greet]   post ran: pre=yes main=ran".into(),
        "[greet] ✓ Post acme/greet@v1 (".into(),
        "[greet] ✓ job success".into(),
    ];
    assert_eq!(lines.len(), expected.len(), "{stdout}");
    for (line, want) in lines.iter().zip(&expected) {
        assert!(
            line.starts_with(want.as_str()),
            "{line:?} is not {want:?} in:\n{stdout}"
        );
    }
}

#[test]
fn a_post_step_runs_after_a_failed_main_step_and_the_job_fails() {
    if !docker_ready() {
        return;
    }
    let (actions, cache) = (TempDir::new().unwrap(), TempDir::new().unwrap());
    greet(actions.path());
    let output = repository(
        "
        on: push
        jobs:
          failing:
            runs-on: ubuntu-latest
            steps:
              - uses: acme/greet@v1.2.0
                with:
                  who: Mona
                  fail: 'true'
              - run: echo never
        ",
    )
    .args(&args(&run_args(&actions, &cache)))
    .status(1)
    .run();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("[failing]   Error: failing as asked\n"), "{stdout}");
    assert!(
        stdout.contains("[failing] - Run echo never (skipped: an earlier step failed)\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("[failing] ▶ Post acme/greet@v1.2.0\n[failing]   post ran: pre=yes main=ran\n"),
        "{stdout}"
    );
    assert!(stdout.contains("[failing] ✗ job failure\n"), "{stdout}");
}

#[test]
fn the_second_run_uses_the_cache_and_offline_with_a_cold_cache_names_the_action() {
    if !docker_ready() {
        return;
    }
    let (actions, cache) = (TempDir::new().unwrap(), TempDir::new().unwrap());
    let sha = greet(actions.path());
    let workflow = "
        on: push
        jobs:
          greet:
            runs-on: ubuntu-latest
            steps:
              - uses: acme/greet@v1
                with:
                  who: Mona
        ";
    let mut offline = run_args(&actions, &cache);
    offline.push("--offline".into());
    let cold = repository(workflow).args(&args(&offline)).status(1).run();
    let cold = String::from_utf8_lossy(&cold.stdout);
    let expected = format!(
        "[greet]   Error: unable to resolve action `acme/greet@v1` from {}: mlci runs offline and the action is \
         not in the action cache ({}); run `mlci actions pull` where the source can be reached\n",
        actions.path().join("acme/greet.git").display(),
        cache.path().display()
    );
    assert!(cold.contains(&expected), "{cold}");

    let first = repository(workflow).args(&args(&run_args(&actions, &cache))).run();
    assert!(String::from_utf8_lossy(&first.stdout)
        .contains(&format!("Download action repository 'acme/greet@v1' (SHA:{sha})")));
    let second = repository(workflow).args(&args(&run_args(&actions, &cache))).run();
    let second = String::from_utf8_lossy(&second.stdout);
    assert!(
        second.contains(&format!("[greet] Using cached action 'acme/greet@v1' (SHA:{sha})")),
        "{second}"
    );
    // Offline now works from the cache, even with the source gone.
    std::fs::remove_dir_all(actions.path().join("acme")).unwrap();
    let warm = repository(workflow).args(&args(&offline)).run();
    assert!(String::from_utf8_lossy(&warm.stdout).contains("Hello Mona from acme/greet@v1"));
}

#[test]
fn a_docker_action_is_built_from_its_dockerfile_and_gets_its_args() {
    if !docker_ready() {
        return;
    }
    let (actions, cache) = (TempDir::new().unwrap(), TempDir::new().unwrap());
    let hello = Published::new(actions.path(), "acme/hello-docker");
    let action = "
name: Hello Docker
inputs:
  who-to-greet:
    default: World
outputs:
  time:
    description: when
runs:
  using: docker
  image: Dockerfile
  args:
    - ${{ inputs.who-to-greet }}
  env:
    GREETING: Hello
";
    let entrypoint =
        "#!/bin/sh\necho \"$GREETING $1 in $GITHUB_WORKSPACE\"\necho \"time=noon\" >> \"$GITHUB_OUTPUT\"\n";
    let dockerfile =
        format!("FROM {RUNNER_IMAGE}\nCOPY entrypoint.sh /entrypoint.sh\nENTRYPOINT [\"/entrypoint.sh\"]\n");
    let sha = hello.commit(&[
        ("action.yml", action, false),
        ("Dockerfile", &dockerfile, false),
        ("entrypoint.sh", entrypoint, true),
    ]);
    hello.tag("v2", &sha);
    let output = repository(
        "
        on: push
        jobs:
          docker-action:
            runs-on: ubuntu-latest
            steps:
              - uses: acme/hello-docker@v2
                id: hello
                with:
                  who-to-greet: Mona
              - run: echo \"time=${{ steps.hello.outputs.time }}\"
        ",
    )
    .args(&args(&run_args(&actions, &cache)))
    .run();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("[docker-action]   Hello Mona in /github/workspace\n"),
        "{stdout}"
    );
    assert!(stdout.contains("[docker-action]   time=noon\n"), "{stdout}");
    let tag = format!("mlci-action/acme/hello-docker:{}", &sha[..12]);
    let inspect = Command::new("docker")
        .args(["image", "inspect", &tag])
        .output()
        .unwrap();
    assert!(
        inspect.status.success(),
        "the image is tagged by the action's commit: {tag}"
    );
}

#[test]
fn a_remote_composite_nests_an_action_pinned_by_sha_and_a_cycle_is_an_error() {
    if !docker_ready() {
        return;
    }
    let (actions, cache) = (TempDir::new().unwrap(), TempDir::new().unwrap());
    let greet_sha = greet(actions.path());
    let outer = Published::new(actions.path(), "acme/welcome");
    let composite = format!(
        "
name: Welcome
inputs:
  name:
    required: true
outputs:
  said:
    value: ${{{{ steps.inner.outputs.greeting }}}}
runs:
  using: composite
  steps:
    - uses: acme/greet@{greet_sha}
      id: inner
      with:
        who: ${{{{ inputs.name }}}}
    - run: echo \"from $GITHUB_ACTION_PATH\" | sed 's|/[0-9a-f]*$||'
      shell: bash
"
    );
    let outer_sha = outer.commit(&[("action.yml", &composite, false)]);
    outer.tag("v1", &outer_sha);
    let looping = Published::new(actions.path(), "acme/loop");
    let loop_sha = looping.commit(&[(
        "action.yml",
        "runs:\n  using: composite\n  steps:\n    - uses: acme/loop@v1\n",
        false,
    )]);
    looping.tag("v1", &loop_sha);
    let output = repository(
        "
        on: push
        jobs:
          nested:
            runs-on: ubuntu-latest
            steps:
              - uses: acme/welcome@v1
                id: welcome
                with:
                  name: Mona
              - run: echo \"said=${{ steps.welcome.outputs.said }}\"
          looped:
            runs-on: ubuntu-latest
            steps:
              - uses: acme/loop@v1
        ",
    )
    .args(&args(&run_args(&actions, &cache)))
    .status(1)
    .run();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(&format!(
            "[nested]   Hello Mona from acme/greet@{greet_sha}, pre=undefined\n"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("[nested]   from /github/runner_temp/_actions/acme/welcome\n"),
        "{stdout}"
    );
    assert!(stdout.contains("[nested]   said=Hello Mona\n"), "{stdout}");
    assert!(stdout.contains("[nested] ✓ job success\n"), "{stdout}");
    assert!(
        stdout
            .contains("[looped]   Error: composite actions call each other in a cycle: acme/loop@v1 → acme/loop@v1\n"),
        "{stdout}"
    );
}

#[test]
fn a_javascript_action_runs_in_a_container_job_whose_image_has_no_node() {
    if !docker_ready() {
        return;
    }
    let image = "mlci-test/no-node:1";
    let built = Command::new("sh")
        .args([
            "-c",
            &format!("printf 'FROM {RUNNER_IMAGE}\\nRUN rm -rf /__e\\n' | docker build -q -t {image} -"),
        ])
        .output()
        .unwrap();
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let (actions, cache) = (TempDir::new().unwrap(), TempDir::new().unwrap());
    greet(actions.path());
    let output = repository(&format!(
        "
        on: push
        jobs:
          contained:
            runs-on: ubuntu-latest
            container: {image}
            steps:
              - run: test ! -e /usr/bin/node && echo no node of its own
              - uses: acme/greet@v1
                with:
                  who: Mona
        "
    ))
    .args(&args(&run_args(&actions, &cache)))
    .run();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("[contained]   no node of its own\n"), "{stdout}");
    assert!(
        stdout.contains("[contained]   Hello Mona from acme/greet@v1, pre=yes\n"),
        "{stdout}"
    );
}

#[test]
fn validate_checks_inputs_against_the_action_and_pull_fills_the_cache_for_offline_runs() {
    let (actions, cache) = (TempDir::new().unwrap(), TempDir::new().unwrap());
    let sha = greet(actions.path());
    let source = [
        "--actions-dir",
        &actions.path().display().to_string(),
        "--actions-cache",
        &cache.path().display().to_string(),
    ]
    .map(str::to_string);
    let mut validate = vec!["validate".to_string(), "--actions".into()];
    validate.extend(source.iter().cloned());
    let checked = repository(
        "
        on: push
        jobs:
          greet:
            runs-on: ubuntu-latest
            steps:
              - uses: acme/greet@v1
                with:
                  whom: Mona
        ",
    )
    .args(&args(&validate))
    .status(3)
    .run();
    assert_eq!(
        String::from_utf8_lossy(&checked.stderr),
        "error: `acme/greet@v1` requires the input `who`, and the step's `with:` does not give it\n \
         --> .github/workflows/ci.yml:6:15\n  |\n6 |       - uses: acme/greet@v1\n  |               ^^^^^^^^^^^^^\n\
         warning: Unexpected input 'whom', valid inputs are ['who', 'fail', 'token']\n \
         --> .github/workflows/ci.yml:8:17\n  |\n8 |           whom: Mona\n  |                 ^^^^\n\
         1 error in 1 file\n"
    );

    let workflow = "
        on: push
        jobs:
          greet:
            runs-on: ubuntu-latest
            steps:
              - uses: acme/greet@v1
                with:
                  who: Mona
        ";
    // A cache of its own, which the pull fills (validate filled the other).
    let pulled_into = TempDir::new().unwrap();
    let mut pull = vec!["actions".to_string(), "pull".into(), "--actions-dir".into()];
    pull.extend([actions.path().display().to_string(), "--actions-cache".into()]);
    pull.push(pulled_into.path().display().to_string());
    let pulled = repository(workflow).args(&args(&pull)).run();
    assert_eq!(
        String::from_utf8_lossy(&pulled.stdout),
        format!(
            "acme/greet@v1  {sha}  fetched\n1 action in {}\n",
            pulled_into.path().display()
        )
    );
    if !docker_ready() {
        return;
    }
    std::fs::remove_dir_all(actions.path().join("acme")).unwrap();
    let mut offline = run_args(&actions, &pulled_into);
    offline.push("--offline".into());
    let ran = repository(workflow).args(&args(&offline)).run();
    assert!(String::from_utf8_lossy(&ran.stdout).contains("Hello Mona from acme/greet@v1"));
}

#[test]
fn cache_restore_and_save_are_built_in_at_any_ref() {
    // --offline with an empty action cache: a built-in is never resolved.
    let output = repository(
        "
        on: push
        jobs:
          save:
            runs-on: ubuntu-latest
            steps:
              - run: mkdir -p data && echo cached > data/x
              - uses: actions/cache/save@0c45773b623bea8c8e75f6c82b208c3cf94ea4f9
                with: {path: data, key: k1}
          restore:
            needs: save
            runs-on: ubuntu-latest
            steps:
              - uses: actions/cache/restore@v4
                id: r
                with: {path: data, key: k1}
              - run: echo \"$(cat data/x) hit=${{ steps.r.outputs.cache-hit }} matched=${{ steps.r.outputs.cache-matched-key }}\"
              - uses: actions/cache/restore@v4
                with: {path: other, key: nope, fail-on-cache-miss: true}
        ",
    )
    .args(&["run", "--backend", "host", "--offline", "--actions-cache", "no-actions"])
    .status(1)
    .run();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("[save] cache saved with key k1\n"), "{stdout}");
    assert!(stdout.contains("[restore]   cached hit=true matched=k1\n"), "{stdout}");
    assert!(
        stdout.contains(
            "[restore]   Error: Failed to restore cache entry. Exiting as fail-on-cache-miss is set. Input key: nope\n"
        ),
        "{stdout}"
    );
}

#[test]
fn a_built_in_name_runs_the_published_action_when_asked() {
    if !docker_ready() {
        return;
    }
    let (actions, cache) = (TempDir::new().unwrap(), TempDir::new().unwrap());
    // A stand-in published under a built-in's name: what runs tells them apart.
    let setup = Published::new(actions.path(), "actions/setup-python");
    let sha = setup.commit(&[
        ("action.yml", "runs:\n  using: node24\n  main: main.js\n", false),
        (
            "main.js",
            "console.log('the published setup-python on ' + process.version)\n",
            false,
        ),
    ]);
    setup.tag("v5", &sha);
    let workflow = "
        on: push
        jobs:
          py:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/setup-python@v5
                with: {python-version: '3.11'}
        ";
    let built_in = repository(workflow).args(&args(&run_args(&actions, &cache))).run();
    assert!(!String::from_utf8_lossy(&built_in.stdout).contains("the published setup-python"));
    let mut list = run_args(&actions, &cache);
    list.extend(["--published-action".into(), "actions/setup-python".into()]);
    let published = repository(workflow).args(&args(&list)).run();
    let stdout = String::from_utf8_lossy(&published.stdout);
    assert!(stdout.contains("[py]   the published setup-python on v24."), "{stdout}");
}
